//! Colours for 8- and 16-colour terminals. crossterm writes even the 16 ANSI
//! colours as 256-colour codes (`ESC[38;5;9m`), which a Linux console, a VT100
//! or a serial line misreads; every frame's bytes are rewritten to the classic
//! codes (`ESC[91m`) every ANSI terminal knows. The frame writer rewrites a
//! whole frame at once, so a sequence is never seen split.

/// `bytes` with every SGR sequence's 256-colour codes below 16 made classic.
pub fn rewrite(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\x1b[") {
            let params_start = i + 2;
            let end = bytes[params_start..]
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b';'));
            if let Some(len) = end {
                let final_byte = bytes[params_start + len];
                let params = &bytes[params_start..params_start + len];
                out.extend_from_slice(b"\x1b[");
                if final_byte == b'm' {
                    out.extend_from_slice(sgr_params(params).as_bytes());
                } else {
                    out.extend_from_slice(params);
                }
                out.push(final_byte);
                i = params_start + len + 1;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn sgr_params(params: &[u8]) -> String {
    let text = String::from_utf8_lossy(params);
    let parts: Vec<&str> = text.split(';').collect();
    let mut out: Vec<String> = Vec::with_capacity(parts.len());
    let mut k = 0;
    while k < parts.len() {
        let code = parts[k];
        let index = parts.get(k + 2).and_then(|n| n.parse::<u8>().ok());
        match (code, parts.get(k + 1), index) {
            ("38" | "48", Some(&"5"), Some(n)) if n < 16 => {
                let base = if code == "38" { 30 } else { 40 };
                let classic = if n < 8 { base + n } else { base + 60 + n - 8 };
                out.push(classic.to_string());
                k += 3;
            }
            // Other extended colours pass through whole, so their numbers
            // are never read as codes of their own.
            ("38" | "48", Some(&"5"), _) => {
                out.extend(
                    parts[k..(k + 3).min(parts.len())]
                        .iter()
                        .map(|p| p.to_string()),
                );
                k += 3;
            }
            ("38" | "48", Some(&"2"), _) => {
                out.extend(
                    parts[k..(k + 5).min(parts.len())]
                        .iter()
                        .map(|p| p.to_string()),
                );
                k += 5;
            }
            _ => {
                out.push(code.to_string());
                k += 1;
            }
        }
    }
    out.join(";")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::style::{Color, Colors, SetColors};

    #[test]
    fn crossterm_colours_become_classic_codes() {
        let mut raw = Vec::new();
        crossterm::queue!(
            raw,
            SetColors(Colors::new(Color::Red, Color::DarkBlue)),
            crossterm::cursor::MoveTo(3, 4)
        )
        .unwrap();
        let classic = rewrite(&raw);
        // crossterm's own codes (this fails if NO_COLOR is set for the test
        // run: crossterm then writes no colour at all).
        let raw = String::from_utf8(raw).unwrap();
        assert!(raw.contains("38;5;9;48;5;4m"), "{raw:?}");
        let text = String::from_utf8(classic).unwrap();
        assert_eq!(text, "\x1b[91;44m\x1b[5;4H");
    }

    #[test]
    fn only_low_indexes_change() {
        let r = |s: &str| String::from_utf8(rewrite(s.as_bytes())).unwrap();
        assert_eq!(r("\x1b[38;5;1mx"), "\x1b[31mx");
        assert_eq!(r("\x1b[48;5;15m"), "\x1b[107m");
        assert_eq!(r("\x1b[1;38;5;208;48;5;0m"), "\x1b[1;38;5;208;40m");
        assert_eq!(r("\x1b[38;2;5;5;5;39m"), "\x1b[38;2;5;5;5;39m");
        assert_eq!(r("\x1b[39m\x1b[2J├"), "\x1b[39m\x1b[2J├");
        assert_eq!(r("\x1b[?25l"), "\x1b[?25l");
    }
}
