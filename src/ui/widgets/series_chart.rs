//! A time-series chart made of block characters, one column per time step.
//! Block bars (not braille lines) keep redraws small: a steady value shifts into
//! identical cells, so an idle console writes almost nothing to the terminal.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Drawn on the bottom row of a column that has no sample, so a gap is never
/// mistaken for a zero.
const GAP: char = '·';

pub struct SeriesChart<'a> {
    /// Oldest first; NaN is a gap. The newest value lands in the rightmost column.
    pub values: &'a [f32],
    /// The value of a full-height bar; values above it are clipped.
    pub max: f32,
    pub style: Style,
    pub gap_style: Style,
}

impl Widget for SeriesChart<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let cols = area.width as usize;
        let skip = self.values.len().saturating_sub(cols);
        let shown = &self.values[skip..];
        let offset = cols - shown.len();
        let eighths = area.height as f32 * 8.0;
        for (i, v) in shown.iter().enumerate() {
            let x = area.x + (offset + i) as u16;
            if v.is_nan() {
                buf[(x, area.bottom() - 1)]
                    .set_char(GAP)
                    .set_style(self.gap_style);
                continue;
            }
            let frac = if self.max > 0.0 {
                (v / self.max).clamp(0.0, 1.0)
            } else {
                0.0
            };
            // A non-zero value always shows at least the lowest bar.
            let mut filled = (frac * eighths).round() as usize;
            if *v > 0.0 && filled == 0 {
                filled = 1;
            }
            for row in 0..area.height {
                let here = filled.saturating_sub(row as usize * 8).min(8);
                if here > 0 {
                    buf[(x, area.bottom() - 1 - row)]
                        .set_char(LEVELS[here])
                        .set_style(self.style);
                }
            }
        }
    }
}

/// A one-line usage bar: `████▌     ` filled to `frac` of `width`.
pub fn usage_bar(frac: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let total = (frac.clamp(0.0, 1.0) * width as f64 * 8.0).round() as usize;
    let mut s: String = "█".repeat(total / 8);
    if total / 8 < width {
        s.push(PARTS[total % 8]);
        s.push_str(&" ".repeat(width - total / 8 - 1));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(values: &[f32], w: u16, h: u16) -> Vec<String> {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        SeriesChart {
            values,
            max: 100.0,
            style: Style::new(),
            gap_style: Style::new(),
        }
        .render(area, &mut buf);
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect())
            .collect()
    }

    #[test]
    fn bars_gaps_and_right_alignment() {
        let rows = draw(&[100.0, f32::NAN, 50.0, 0.0, 1.0], 6, 2);
        assert_eq!(rows[0], " █    ");
        assert_eq!(rows[1], " █·█ ▁");
    }

    #[test]
    fn only_newest_values_fit() {
        let rows = draw(&[100.0, 100.0, 0.0, 25.0], 2, 1);
        assert_eq!(rows[0], " ▂");
    }

    #[test]
    fn usage_bar_widths() {
        assert_eq!(usage_bar(0.5, 4), "██  ");
        assert_eq!(usage_bar(1.0, 4), "████");
        assert_eq!(usage_bar(0.0, 3), "   ");
        assert_eq!(usage_bar(0.5625, 2).chars().count(), 2);
    }
}
