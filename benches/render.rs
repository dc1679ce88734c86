//! Rendering the overview frame (goal < 1 ms at 160x48), and the workloads
//! and pods views of a 10,000-pod cluster (goal < 5 ms).
//! `cargo bench --bench render`

#[path = "../tests/support/fixtures/mod.rs"]
mod fixtures;
#[path = "../tests/support/kube_sample.rs"]
mod kube_sample;

use criterion::{criterion_group, criterion_main, Criterion};
use fixtures::sample_model;
use opsdeck::config::theme::Theme;
use opsdeck::console::Model;
use opsdeck::model::Inventory;
use opsdeck::source::Update;
use opsdeck::ui::render::{draw, render};
use opsdeck::ui::state::{UiState, View};
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

/// The sample cluster grown to `workloads` Deployments of `replicas` pods
/// each: copies of its Deployment and its pods, renamed.
fn big_cluster(now: i64, workloads: usize, replicas: usize) -> Model {
    let model = kube_sample::kube_model(sample_model(now, 4, 600), now);
    let small = model.inventories.iter().find(|(t, _)| t == "prod").unwrap();
    let small = &small.1;
    let mut inv = Inventory {
        nodes: small.nodes.clone(),
        namespaces: small.namespaces.clone(),
        ..Default::default()
    };
    let (w0, p0) = (&small.workloads[0], &small.instances[0]);
    for w in 0..workloads {
        let mut wl = w0.clone();
        wl.addr.name = format!("svc-{w:03}");
        for r in 0..replicas {
            let mut pod = p0.clone();
            pod.name = format!("svc-{w:03}-7d4b9c-{r:05}");
            pod.id = format!("shop/{}", pod.name);
            pod.workload = wl.addr.clone();
            inv.instances.push(pod);
        }
        inv.workloads.push(wl);
    }
    let mut model = model;
    model.apply_update(Update::Inventory {
        target: "prod".into(),
        at: now,
        inventory: Box::new(inv),
    });
    model
}

fn big_views(c: &mut Criterion) {
    let model = big_cluster(1_790_000_000, 200, 50);
    for view in [View::Workloads, View::Containers] {
        for (w, h) in [(160u16, 48u16), (80, 24)] {
            let mut ui = UiState::new(Theme::default());
            ui.view = view;
            ui.screen_width = w;
            let area = Rect::new(0, 0, w, h);
            c.bench_function(&format!("draw {view:?} 10,000 pods {w}x{h}"), |b| {
                let mut buf = Buffer::empty(area);
                b.iter(|| {
                    buf.reset();
                    draw(area, &mut buf, black_box(&model), &ui);
                })
            });
        }
    }
}

criterion_group!(benches, bench, big_views);
criterion_main!(benches);
