//! Rendering the overview frame: the goal is < 1 ms at 160x48.
//! `cargo bench --bench render`

use criterion::{criterion_group, criterion_main, Criterion};
use opsdeck::model::sample::sample_model;
use opsdeck::ui::render::{draw, render};
use opsdeck::ui::state::UiState;
use opsdeck::ui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::Terminal;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let model = sample_model(1_790_000_000, 16, 3600);
    let ui = UiState::new(Theme::default());
    for (w, h) in [(160u16, 48u16), (80, 24)] {
        let area = Rect::new(0, 0, w, h);
        c.bench_function(&format!("draw overview {w}x{h}"), |b| {
            let mut buf = Buffer::empty(area);
            b.iter(|| {
                buf.reset();
                draw(area, &mut buf, black_box(&model), &ui);
            })
        });
    }
    // The whole frame as the app loop does it: draw, diff against the last frame, flush.
    c.bench_function("terminal frame 160x48 (draw + diff)", |b| {
        let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
        b.iter(|| {
            term.draw(|f| render(f, black_box(&model), &ui)).unwrap();
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
