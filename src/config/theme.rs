//! Themes: semantic roles (ok, warning, critical, muted, ...) mapped to styles.
//! Built-in themes are embedded; a theme file may inherit from any other by name.

use crate::base::diag::{did_you_mean, parse_toml, FileError};
use crate::config::term_caps::{ColorDepth, TermCaps};
use crate::model::Severity;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::path::Path;
use std::str::FromStr;

pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub description: String,
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub title: Style,
    pub border: Style,
    pub border_focused: Style,
    pub ok: Style,
    pub info: Style,
    pub warning: Style,
    pub critical: Style,
    pub selection: Style,
    pub header: Style,
    pub key: Style,
    pub chart: Style,
    pub chart_alt: Style,
    pub read_only: Style,
    /// The terminal the styles were fitted to (see `for_terminal`).
    pub caps: TermCaps,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    description: Option<String>,
    inherits: Option<String>,
    #[serde(default)]
    roles: RolesFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    text: Option<StyleSpec>,
    muted: Option<StyleSpec>,
    accent: Option<StyleSpec>,
    title: Option<StyleSpec>,
    border: Option<StyleSpec>,
    border_focused: Option<StyleSpec>,
    ok: Option<StyleSpec>,
    info: Option<StyleSpec>,
    warning: Option<StyleSpec>,
    critical: Option<StyleSpec>,
    selection: Option<StyleSpec>,
    header: Option<StyleSpec>,
    key: Option<StyleSpec>,
    chart: Option<StyleSpec>,
    chart_alt: Option<StyleSpec>,
    read_only: Option<StyleSpec>,
}

/// A role is a colour name, or a table with fg, bg, bold, italic, underline.
#[derive(Debug, Clone)]
enum StyleSpec {
    Color(ThemeColor),
    Full(FullStyle),
}

// Written by hand because serde's untagged enums replace the real error (a bad
// colour name, say) with "did not match any variant".
impl<'de> Deserialize<'de> for StyleSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StyleSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a colour name or a table such as { fg = \"red\", bold = true }")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<StyleSpec, E> {
                parse_color(s)
                    .map(|c| StyleSpec::Color(ThemeColor(c)))
                    .map_err(E::custom)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<StyleSpec, A::Error> {
                FullStyle::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(StyleSpec::Full)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FullStyle {
    fg: Option<ThemeColor>,
    bg: Option<ThemeColor>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
}

#[derive(Debug, Clone, Copy)]
struct ThemeColor(Color);

impl<'de> Deserialize<'de> for ThemeColor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_color(&s)
            .map(ThemeColor)
            .map_err(serde::de::Error::custom)
    }
}

const COLOR_NAMES: &[&str] = &[
    "reset",
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "darkgray",
    "lightred",
    "lightgreen",
    "lightyellow",
    "lightblue",
    "lightmagenta",
    "lightcyan",
    "white",
];

fn parse_color(s: &str) -> Result<Color, String> {
    let lower = s.trim().to_ascii_lowercase();
    let ok = COLOR_NAMES.contains(&lower.as_str())
        || (lower.starts_with('#') && lower.len() == 7)
        || lower.parse::<u8>().is_ok();
    match Color::from_str(&lower) {
        Ok(c) if ok => Ok(c),
        _ => {
            let hint = did_you_mean(&lower, COLOR_NAMES.iter().copied())
                .map(|n| format!(" (did you mean {n:?}?)"))
                .unwrap_or_default();
            Err(format!(
                "invalid colour {s:?}{hint}; expected one of the 16 ANSI names ({}), \"#rrggbb\" or an index 0-255",
                COLOR_NAMES[1..].join(", ")
            ))
        }
    }
}

impl StyleSpec {
    fn style(&self) -> Style {
        match self {
            StyleSpec::Color(c) => Style::new().fg(c.0),
            StyleSpec::Full(f) => {
                let mut s = Style::new();
                if let Some(c) = f.fg {
                    s = s.fg(c.0);
                }
                if let Some(c) = f.bg {
                    s = s.bg(c.0);
                }
                for (on, m) in [
                    (f.bold, Modifier::BOLD),
                    (f.italic, Modifier::ITALIC),
                    (f.underline, Modifier::UNDERLINED),
                ] {
                    if on {
                        s = s.add_modifier(m);
                    }
                }
                s
            }
        }
    }
}

impl Theme {
    /// A built-in theme by name, or a theme file by path.
    pub fn load(name_or_path: &str) -> Result<Theme, FileError> {
        if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            return Self::from_text(
                &Path::new("themes").join(format!("{name_or_path}.toml")),
                text,
                0,
            );
        }
        let path = Path::new(name_or_path);
        let looks_like_path = name_or_path.contains('/') || name_or_path.ends_with(".toml");
        if !looks_like_path {
            let hint = did_you_mean(name_or_path, BUILTIN.iter().map(|(n, _)| *n))
                .map(|n| format!(" (did you mean {n:?}?)"))
                .unwrap_or_default();
            return Err(FileError::whole_file(
                path,
                format!("no theme named {name_or_path:?}{hint}; built-in themes: {}, or give a path to a .toml file", Self::builtin_names().join(", ")),
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| FileError::whole_file(path, format!("cannot read theme: {e}")))?;
        Self::from_text(path, &text, 0)
    }

    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    fn from_text(path: &Path, text: &str, depth: usize) -> Result<Theme, FileError> {
        let file: ThemeFile = parse_toml(path, text)?;
        let parent = match file.inherits.as_deref() {
            None => None,
            Some(_) if depth > 8 => {
                return Err(FileError::at_offset(
                    path,
                    text,
                    text.find("inherits").unwrap_or(0),
                    "themes inherit in a loop",
                ))
            }
            Some(name) => match BUILTIN.iter().find(|(n, _)| *n == name) {
                Some((n, t)) => Some(Self::from_text(
                    &Path::new("themes").join(format!("{n}.toml")),
                    t,
                    depth + 1,
                )?),
                None => {
                    let offset = text.find("inherits").unwrap_or(0);
                    let hint = did_you_mean(name, BUILTIN.iter().map(|(n, _)| *n))
                        .map(|n| format!(" (did you mean {n:?}?)"))
                        .unwrap_or_default();
                    return Err(FileError::at_offset(
                        path,
                        text,
                        offset,
                        format!("inherits unknown theme {name:?}{hint}"),
                    ));
                }
            },
        };
        let r = &file.roles;
        let name = file.name.clone().unwrap_or_else(|| {
            path.file_stem()
                .map_or("theme".into(), |s| s.to_string_lossy().into_owned())
        });
        let description = file.description.clone().unwrap_or_default();
        let pick = |own: &Option<StyleSpec>,
                    inherited: Option<Style>,
                    role: &str|
         -> Result<Style, FileError> {
            match (own, inherited) {
                (Some(s), _) => Ok(s.style()),
                (None, Some(s)) => Ok(s),
                (None, None) => Err(FileError::at_offset(
                    path,
                    text,
                    text.find("[roles]").unwrap_or(0),
                    format!("role `{role}` is not set; set it under [roles] or add inherits = \"default\""),
                )),
            }
        };
        let p = parent.as_ref();
        Ok(Theme {
            name,
            description,
            text: pick(&r.text, p.map(|t| t.text), "text")?,
            muted: pick(&r.muted, p.map(|t| t.muted), "muted")?,
            accent: pick(&r.accent, p.map(|t| t.accent), "accent")?,
            title: pick(&r.title, p.map(|t| t.title), "title")?,
            border: pick(&r.border, p.map(|t| t.border), "border")?,
            border_focused: pick(
                &r.border_focused,
                p.map(|t| t.border_focused),
                "border_focused",
            )?,
            ok: pick(&r.ok, p.map(|t| t.ok), "ok")?,
            info: pick(&r.info, p.map(|t| t.info), "info")?,
            warning: pick(&r.warning, p.map(|t| t.warning), "warning")?,
            critical: pick(&r.critical, p.map(|t| t.critical), "critical")?,
            selection: pick(&r.selection, p.map(|t| t.selection), "selection")?,
            header: pick(&r.header, p.map(|t| t.header), "header")?,
            key: pick(&r.key, p.map(|t| t.key), "key")?,
            chart: pick(&r.chart, p.map(|t| t.chart), "chart")?,
            chart_alt: pick(&r.chart_alt, p.map(|t| t.chart_alt), "chart_alt")?,
            read_only: pick(&r.read_only, p.map(|t| t.read_only), "read_only")?,
            caps: TermCaps::default(),
        })
    }

    /// This theme as the terminal can show it. Without colour every role that
    /// colour alone told apart gets a mark of its own: the selection is reverse
    /// video, problems are bold or underlined, muted text is dim.
    pub fn for_terminal(mut self, caps: TermCaps) -> Theme {
        self.caps = caps;
        if caps.color == ColorDepth::Mono {
            let m = |mods: Modifier| Style::new().add_modifier(mods);
            self.text = Style::new();
            self.muted = m(Modifier::DIM);
            self.accent = Style::new();
            self.title = m(Modifier::BOLD);
            self.border = Style::new();
            self.border_focused = m(Modifier::BOLD);
            self.ok = Style::new();
            self.info = Style::new();
            self.warning = m(Modifier::UNDERLINED);
            self.critical = m(Modifier::BOLD | Modifier::UNDERLINED);
            self.selection = m(Modifier::REVERSED);
            // The tabs are the header; the current one is the selection.
            self.header = Style::new();
            self.key = m(Modifier::BOLD);
            self.chart = Style::new();
            self.chart_alt = Style::new();
            self.read_only = m(Modifier::REVERSED | Modifier::BOLD);
            return self;
        }
        for s in self.roles_mut() {
            s.fg = s.fg.and_then(|c| caps.fit(c));
            s.bg = s.bg.and_then(|c| caps.fit(c));
        }
        self
    }

    fn roles_mut(&mut self) -> [&mut Style; 16] {
        [
            &mut self.text,
            &mut self.muted,
            &mut self.accent,
            &mut self.title,
            &mut self.border,
            &mut self.border_focused,
            &mut self.ok,
            &mut self.info,
            &mut self.warning,
            &mut self.critical,
            &mut self.selection,
            &mut self.header,
            &mut self.key,
            &mut self.chart,
            &mut self.chart_alt,
            &mut self.read_only,
        ]
    }

    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Ok => self.ok,
            Severity::Info => self.info,
            Severity::Warning => self.warning,
            Severity::Critical => self.critical,
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::load("default").expect("the embedded default theme is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads() {
        for name in Theme::builtin_names() {
            let t = Theme::load(name).unwrap();
            assert_eq!(t.name, name);
        }
    }

    #[test]
    fn inheritance_keeps_parent_roles() {
        let light = Theme::load("light").unwrap();
        let base = Theme::default();
        assert_eq!(light.read_only, base.read_only);
        assert_ne!(light.text, base.text);
    }

    #[test]
    fn builtins_use_only_16_colours() {
        for name in Theme::builtin_names() {
            let t = Theme::load(name).unwrap();
            for s in [
                t.text,
                t.muted,
                t.ok,
                t.warning,
                t.critical,
                t.selection,
                t.header,
                t.chart,
            ] {
                for c in [s.fg, s.bg].into_iter().flatten() {
                    assert!(
                        !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                        "{name}: {c:?}"
                    );
                }
            }
        }
    }

    fn load_text(text: &str) -> Result<Theme, FileError> {
        Theme::from_text(Path::new("mine.toml"), text, 0)
    }

    #[test]
    fn bad_colour_is_located_with_expectation() {
        let e = load_text("inherits = \"default\"\n[roles]\nok = \"grene\"\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.message.contains("did you mean \"green\"") && e.message.contains("#rrggbb"),
            "{e}"
        );
    }

    #[test]
    fn unknown_role_gets_suggestion() {
        let e = load_text("inherits = \"default\"\n[roles]\nwarnign = \"red\"\n").unwrap_err();
        assert!(e.message.contains("did you mean `warning`"), "{e}");
    }

    #[test]
    fn unknown_parent_and_missing_roles() {
        let e = load_text("inherits = \"ligth\"\n").unwrap_err();
        assert!(e.message.contains("did you mean \"light\""), "{e}");
        let e = load_text("[roles]\nok = \"green\"\n").unwrap_err();
        assert!(e.message.contains("role `text` is not set"), "{e}");
    }

    #[test]
    fn hex_and_styles_parse() {
        let t = load_text("inherits = \"default\"\n[roles]\nok = \"#00ff00\"\ncritical = { fg = \"red\", bg = \"white\", bold = true }\n").unwrap();
        assert_eq!(t.ok.fg, Some(Color::Rgb(0, 255, 0)));
        assert_eq!(t.critical.bg, Some(Color::White));
        assert!(t.critical.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn unknown_name_lists_builtins() {
        let e = Theme::load("hi-contrast").unwrap_err();
        assert!(e.message.contains("did you mean \"high-contrast\""), "{e}");
    }
}
