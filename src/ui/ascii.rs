//! A drawn frame brought down to ASCII for terminals without box-drawing and
//! block glyphs (`linux`, `vt100`, `dumb`, `--ascii`). Done once over the
//! finished buffer so no view needs a second set of symbols, and a glyph a view
//! adds later cannot slip through: anything not in the table becomes `?`.

use ratatui::buffer::Buffer;

/// The ASCII stand-in for one drawn character. Every stand-in is one column
/// wide, like the glyph it replaces, so the layout is unchanged.
pub fn fold(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    match c {
        // Light lines; a focused pane's heavy or double lines stay told apart.
        '─' | '╌' | '┄' | '┈' => '-',
        '━' | '═' | '╍' | '┅' => '=',
        '│' | '┃' | '║' | '╎' | '┆' | '┊' | '╏' => '|',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╯' | '╰' => {
            '+'
        }
        '┏' | '┓' | '┗' | '┛' | '┣' | '┫' | '┳' | '┻' | '╋' | '╔' | '╗' | '╚' | '╝' | '╠' | '╣'
        | '╦' | '╩' | '╬' => '+',
        // Bars: the lower eighths of a chart column, the left eighths of a usage bar.
        '▁' | '▂' | '▃' => '_',
        '▄' | '▅' | '▆' => '=',
        '▇' | '█' | '▉' | '▊' | '▋' | '▌' | '■' => '#',
        '▏' | '▎' | '▍' => '|',
        '░' | '▒' | '▓' => '#',
        '·' | '•' => '.',
        '…' => '~',
        '●' => '*',
        '○' => 'o',
        '▲' | '↑' => '^',
        '▼' | '↓' => 'v',
        '→' | '⇢' | '▶' | '↷' => '>',
        '←' => '<',
        '—' | '–' | '−' => '-',
        '×' => 'x',
        '✓' => 'v',
        '✗' => 'x',
        '≥' | '≤' | '±' => '~',
        '²' => '2',
        'é' => 'e',
        _ => '?',
    }
}

/// Replaces every non-ASCII symbol in `buf` by its stand-in.
pub fn fold_buffer(buf: &mut Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            let sym = cell.symbol();
            if sym.is_ascii() {
                continue;
            }
            // A wide character's trailing cell holds an empty symbol, which is
            // ASCII; a cluster of several chars folds by its first.
            let c = sym.chars().next().map_or(' ', fold);
            cell.set_char(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn glyphs_fold_to_one_ascii_column() {
        let area = Rect::new(0, 0, 12, 1);
        let mut buf = Buffer::empty(area);
        buf.set_string(0, 0, "┏━│▁▅█▏…·●▲ñ", ratatui::style::Style::new());
        fold_buffer(&mut buf);
        let row: String = (0..12).map(|x| buf[(x, 0)].symbol()).collect();
        assert_eq!(row, "+=|_=#|~.*^?");
    }
}
