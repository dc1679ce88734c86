//! What the terminal can show, read from TERM, COLORTERM, NO_COLOR and
//! `--ascii`, and the colours of a theme brought down to it. A serial console
//! or an old jump host gets the escape codes and glyphs it understands, not
//! xterm's.

use ratatui::style::Color;

/// How many colours the terminal shows, fewest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColorDepth {
    /// NO_COLOR: every state must show without colour.
    Mono,
    Ansi8,
    Ansi16,
    Indexed256,
    TrueColor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermCaps {
    pub color: ColorDepth,
    /// Borders, bars and marks drawn in ASCII instead of box-drawing glyphs.
    pub ascii: bool,
}

impl Default for TermCaps {
    /// What a theme is drawn with before it is fitted to a terminal.
    fn default() -> Self {
        TermCaps {
            color: ColorDepth::TrueColor,
            ascii: false,
        }
    }
}

/// Terminals whose character sets or fonts lack box-drawing and block glyphs,
/// or that are too old to be trusted with them.
const ASCII_TERMS: &[&str] = &["linux", "vt52", "vt100", "vt102", "vt220", "vt320", "dumb"];
/// Of those, the ones with no colour bright variants (SGR 90-97).
const EIGHT_COLOUR_TERMS: &[&str] = &["vt52", "vt100", "vt102", "vt220", "vt320", "dumb"];

impl TermCaps {
    /// From this process's environment.
    pub fn detect(ascii_flag: bool) -> TermCaps {
        Self::from_vars(|k| std::env::var(k).ok(), ascii_flag)
    }

    /// From environment variables given by `get`.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>, ascii_flag: bool) -> TermCaps {
        let term = get("TERM").unwrap_or_default().to_ascii_lowercase();
        // `vt100-am`, `linux-16color` and the like are their base terminal.
        let base = term.split('-').next().unwrap_or("");
        let colorterm = get("COLORTERM").unwrap_or_default().to_ascii_lowercase();
        // https://no-color.org: set and not empty, whatever its value.
        let no_color = get("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = if no_color {
            ColorDepth::Mono
        } else if EIGHT_COLOUR_TERMS.contains(&base) {
            ColorDepth::Ansi8
        } else if ASCII_TERMS.contains(&base) {
            ColorDepth::Ansi16
        } else if colorterm == "truecolor" || colorterm == "24bit" || term.contains("direct") {
            ColorDepth::TrueColor
        } else if term.contains("256color") {
            ColorDepth::Indexed256
        } else {
            ColorDepth::Ansi16
        };
        TermCaps {
            color,
            ascii: ascii_flag || ASCII_TERMS.contains(&base),
        }
    }

    /// `c` as this terminal can show it; `None` when it shows no colour.
    pub fn fit(&self, c: Color) -> Option<Color> {
        match (self.color, c) {
            (ColorDepth::Mono, _) => None,
            (_, Color::Reset) => Some(Color::Reset),
            (ColorDepth::TrueColor, c) => Some(c),
            (ColorDepth::Indexed256, Color::Rgb(r, g, b)) => Some(Color::Indexed(cube(r, g, b))),
            (ColorDepth::Indexed256, c) => Some(c),
            (ColorDepth::Ansi16, c) => Some(ansi16(c)),
            (ColorDepth::Ansi8, c) => Some(ansi8(ansi16(c))),
        }
    }
}

/// The xterm 6x6x6 cube's nearest index.
fn cube(r: u8, g: u8, b: u8) -> u8 {
    let step = |v: u8| -> u8 {
        match v {
            0..=47 => 0,
            48..=114 => 1,
            _ => (v - 35) / 40,
        }
    };
    16 + 36 * step(r) + 6 * step(g) + step(b)
}

const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

fn rgb_of_index(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => ANSI16[i as usize].1,
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

fn ansi16(c: Color) -> Color {
    let (r, g, b) = match c {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) if i < 16 => return ANSI16[i as usize].0,
        Color::Indexed(i) => rgb_of_index(i),
        named => return named,
    };
    let dist = |(r2, g2, b2): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(r, r2) + d(g, g2) + d(b, b2)
    };
    ANSI16
        .iter()
        .min_by_key(|(_, rgb)| dist(*rgb))
        .map_or(Color::Reset, |(c, _)| *c)
}

/// The bright half of the 16 folded onto the eight a VT100-class terminal has.
/// Dark grey becomes grey, not black: muted text must stay readable on black.
fn ansi8(c: Color) -> Color {
    match c {
        Color::DarkGray | Color::White => Color::Gray,
        Color::LightRed => Color::Red,
        Color::LightGreen => Color::Green,
        Color::LightYellow => Color::Yellow,
        Color::LightBlue => Color::Blue,
        Color::LightMagenta => Color::Magenta,
        Color::LightCyan => Color::Cyan,
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(vars: &[(&str, &str)], ascii: bool) -> TermCaps {
        TermCaps::from_vars(
            |k| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            },
            ascii,
        )
    }

    #[test]
    fn terminals_get_what_they_say() {
        let c = caps(&[("TERM", "xterm-256color")], false);
        assert_eq!((c.color, c.ascii), (ColorDepth::Indexed256, false));
        let c = caps(
            &[("TERM", "xterm-256color"), ("COLORTERM", "truecolor")],
            false,
        );
        assert_eq!(c.color, ColorDepth::TrueColor);
        let c = caps(&[("TERM", "xterm")], false);
        assert_eq!((c.color, c.ascii), (ColorDepth::Ansi16, false));
        let c = caps(&[("TERM", "linux")], false);
        assert_eq!((c.color, c.ascii), (ColorDepth::Ansi16, true));
        for t in ["vt100", "dumb", "vt220-am"] {
            let c = caps(&[("TERM", t)], false);
            assert_eq!((c.color, c.ascii), (ColorDepth::Ansi8, true), "{t}");
        }
        // A truecolor claim does not make a Linux console draw RGB.
        let c = caps(&[("TERM", "linux"), ("COLORTERM", "truecolor")], false);
        assert_eq!(c.color, ColorDepth::Ansi16);
        let c = caps(&[], false);
        assert_eq!((c.color, c.ascii), (ColorDepth::Ansi16, false));
    }

    #[test]
    fn no_color_and_the_ascii_flag() {
        let c = caps(&[("TERM", "xterm-256color"), ("NO_COLOR", "1")], false);
        assert_eq!((c.color, c.ascii), (ColorDepth::Mono, false));
        let c = caps(&[("TERM", "xterm-256color"), ("NO_COLOR", "")], true);
        assert_eq!((c.color, c.ascii), (ColorDepth::Indexed256, true));
    }

    #[test]
    fn colours_come_down_to_the_depth() {
        let at = |color| TermCaps {
            color,
            ascii: false,
        };
        let orange = Color::Rgb(255, 135, 0);
        assert_eq!(at(ColorDepth::TrueColor).fit(orange), Some(orange));
        assert_eq!(
            at(ColorDepth::Indexed256).fit(orange),
            Some(Color::Indexed(208))
        );
        assert_eq!(
            at(ColorDepth::Ansi16).fit(Color::Rgb(250, 10, 10)),
            Some(Color::LightRed)
        );
        assert_eq!(
            at(ColorDepth::Ansi16).fit(Color::Indexed(196)),
            Some(Color::LightRed)
        );
        assert_eq!(
            at(ColorDepth::Ansi8).fit(Color::Rgb(250, 10, 10)),
            Some(Color::Red)
        );
        assert_eq!(
            at(ColorDepth::Ansi8).fit(Color::DarkGray),
            Some(Color::Gray)
        );
        assert_eq!(at(ColorDepth::Ansi8).fit(Color::Reset), Some(Color::Reset));
        assert_eq!(at(ColorDepth::Mono).fit(Color::Red), None);
    }
}
