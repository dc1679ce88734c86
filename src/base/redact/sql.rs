//! Secrets inside SQL text: what follows `PASSWORD` in every literal form
//! PostgreSQL accepts (`'...'`, `E'...'`, `U&'...'`, `N'...'`, `$$...$$`,
//! `$tag$...$tag$`), `password=...` inside conninfo strings (quoted or not,
//! within an SQL literal or bare), and URL userinfo. Query text reaches the
//! screen, plans, the audit log, timelines and reports from
//! `pg_stat_activity` and `pg_stat_statements`, where `ALTER ROLE ...
//! PASSWORD` and `CREATE SUBSCRIPTION ... CONNECTION` keep what was typed.

const MASK: &str = "'***'";

/// `text` with every password literal and conninfo password replaced by `***`.
pub fn mask(text: &str) -> String {
    super::redact(&mask_passwords(text))
}

fn mask_passwords(text: &str) -> String {
    // ASCII lowering keeps byte offsets, so positions found in `lower` index `text`.
    let lower = text.to_ascii_lowercase();
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find("password") {
        let keyword_end = from + found + "password".len();
        let mut i = skip_spaces(b, keyword_end);
        let assigned = b.get(i) == Some(&b'=');
        // `password=s3cret` (conninfo) is a value; `password = col` is SQL.
        let tight = assigned && i == keyword_end;
        if assigned {
            i = skip_spaces(b, i + 1);
        }
        let (end, mask) = match literal_end(b, i) {
            Some(end) => (end, MASK),
            None if tight && i == keyword_end + 1 && !is_parameter(b, i) => {
                match bare_value_end(b, i) {
                    end if end > i => (end, "***"),
                    _ => {
                        from = keyword_end;
                        continue;
                    }
                }
            }
            None => {
                from = keyword_end;
                continue;
            }
        };
        out.push_str(&text[copied..i]);
        out.push_str(mask);
        copied = end;
        from = end;
    }
    out.push_str(&text[copied..]);
    out
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// Where the literal starting at `i` ends (just past its closing delimiter,
/// or the end of the text when it is cut off), or None when none starts there.
fn literal_end(b: &[u8], i: usize) -> Option<usize> {
    let at = |k: usize| b.get(i + k).copied();
    match at(0)? {
        // A conninfo value quoted inside an SQL literal: `'... password=''a b'' ...'`.
        b'\'' if at(1) == Some(b'\'') && at(2).is_some_and(|c| !ends_value(c)) => {
            Some(find(b, i + 2, b"''").map_or(b.len(), |e| e + 2))
        }
        b'\'' => Some(quoted_end(b, i + 1, false)),
        b'E' | b'e' if at(1) == Some(b'\'') => Some(quoted_end(b, i + 2, true)),
        b'N' | b'n' if at(1) == Some(b'\'') => Some(quoted_end(b, i + 2, false)),
        b'U' | b'u' if at(1) == Some(b'&') && at(2) == Some(b'\'') => {
            Some(quoted_end(b, i + 3, false))
        }
        b'$' => {
            let tag_len = b[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c >= 0x80)
                .count();
            let close = i + 1 + tag_len;
            // `$1` is a parameter, not a dollar quote: a tag cannot start with a digit.
            if b.get(close) != Some(&b'$') || b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            let delimiter = &b[i..=close];
            Some(find(b, close + 1, delimiter).map_or(b.len(), |e| e + delimiter.len()))
        }
        _ => None,
    }
}

/// The end of a `'...'` body starting at `i`: a doubled quote is a quote, and
/// in an `E''` string so is a backslash-escaped one.
fn quoted_end(b: &[u8], mut i: usize, backslash: bool) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' if backslash => i += 2,
            b'\'' if b.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// An unquoted conninfo value (`password=s3cret host=...`) runs to a space,
/// a quote or the punctuation that closes what holds it.
fn bare_value_end(b: &[u8], i: usize) -> usize {
    i + b[i..].iter().take_while(|c| !ends_value(**c)).count()
}

/// `$1`: a bind parameter, which holds no secret in the text.
fn is_parameter(b: &[u8], i: usize) -> bool {
    b.get(i) == Some(&b'$') && b.get(i + 1).is_some_and(u8::is_ascii_digit)
}

fn ends_value(c: u8) -> bool {
    c.is_ascii_whitespace() || matches!(c, b'\'' | b'"' | b')' | b',' | b';')
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn every_literal_form_after_password_is_masked() {
        let cases = [
            (
                "CREATE ROLE w LOGIN PASSWORD 'it''s s3cret' IN ROLE pg_monitor",
                "CREATE ROLE w LOGIN PASSWORD '***' IN ROLE pg_monitor",
            ),
            (
                "alter role w password E'esc\\'aped s3cret' valid until 'infinity'",
                "alter role w password '***' valid until 'infinity'",
            ),
            (
                "ALTER ROLE w PASSWORD e'a''b\\\\' LOGIN",
                "ALTER ROLE w PASSWORD '***' LOGIN",
            ),
            (
                "ALTER ROLE w PASSWORD $$dollar 'quoted' s3cret$$;",
                "ALTER ROLE w PASSWORD '***';",
            ),
            (
                "ALTER ROLE w ENCRYPTED PASSWORD $pw_1$tag $$ s3cret$pw_1$ LOGIN",
                "ALTER ROLE w ENCRYPTED PASSWORD '***' LOGIN",
            ),
            (
                "ALTER ROLE w PASSWORD U&'s3cr\\0065t'",
                "ALTER ROLE w PASSWORD '***'",
            ),
            (
                "alter role w password 'cut off",
                "alter role w password '***'",
            ),
            (
                "alter role w password $x$cut off",
                "alter role w password '***'",
            ),
            (
                "ALTER SERVER s OPTIONS (SET password 'fdw-s3cret')",
                "ALTER SERVER s OPTIONS (SET password '***')",
            ),
            (
                "update users set password = 'plain' where id = 1",
                "update users set password = '***' where id = 1",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(mask(text), want, "{text}");
        }
    }

    #[test]
    fn conninfo_passwords_are_masked_quoted_or_not() {
        assert_eq!(
            mask("CREATE SUBSCRIPTION s CONNECTION 'host=db password=c0nn user=r' PUBLICATION p"),
            "CREATE SUBSCRIPTION s CONNECTION 'host=db password=*** user=r' PUBLICATION p"
        );
        assert_eq!(
            mask("select dblink_connect('dbname=x password = ''a b c'' port=1')"),
            "select dblink_connect('dbname=x password = '***' port=1')"
        );
        assert_eq!(
            mask("select dblink('password=last')"),
            "select dblink('password=***')"
        );
        assert_eq!(
            mask("select dblink('postgresql://u:uri-s3cret@h/db', 'q')"),
            "select dblink('postgresql://h/db', 'q')"
        );
    }

    #[test]
    fn what_is_not_a_secret_stays() {
        for text in [
            "select password from t",
            "select * from t where password = $1",
            "select password_hash, 'x' from users",
            "alter role w password null",
            "select 'héllo' as password_hint",
        ] {
            assert_eq!(mask(text), text);
        }
        // Parameters stay, the literal that follows does not.
        assert_eq!(
            mask("update u set password = $1, note = 'n'"),
            "update u set password = $1, note = 'n'"
        );
        assert_eq!(mask("set x.password=$2"), "set x.password=$2");
        assert_eq!(
            mask("where password = crypt($1, password)"),
            "where password = crypt($1, password)"
        );
    }
}
