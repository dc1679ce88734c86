//! The small CSV a scenario's values come from: a header row, then values;
//! double quotes around a value that holds a comma or a quote (`""`). Pure.

use std::collections::BTreeMap;

pub fn rows(text: &str) -> Result<Vec<BTreeMap<String, String>>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or("the file is empty: a header row comes first")?;
    let names = fields(header).map_err(|e| format!("line 1: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in lines {
        let values = fields(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        if values.len() != names.len() {
            return Err(format!(
                "line {}: {} values for {} columns",
                i + 1,
                values.len(),
                names.len()
            ));
        }
        out.push(names.iter().cloned().zip(values).collect());
    }
    if out.is_empty() {
        return Err("no rows below the header".into());
    }
    Ok(out)
}

fn fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    out.push(cur);
    Ok(out.into_iter().map(|f| f.trim().to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_maps_by_header_with_quoted_commas() {
        let r = rows("sku,name\n42,\"mug, blue\"\n\n7,\"say \"\"hi\"\"\"\n").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0]["name"], "mug, blue");
        assert_eq!(r[1]["name"], "say \"hi\"");
        assert!(rows("a,b\n1\n")
            .unwrap_err()
            .contains("line 2: 1 values for 2 columns"));
        assert!(rows("").unwrap_err().contains("header"));
        assert!(rows("a\n\"x\n").unwrap_err().contains("quote"));
    }
}
