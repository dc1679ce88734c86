//! Kubernetes resource quantities (`250m`, `1.5`, `128Mi`, `2G`, `1234567n`)
//! as the numbers the views need: CPU in millicores, memory in bytes.

/// CPU in millicores; None when the text is not a quantity.
pub fn cpu_millis(q: &str) -> Option<u64> {
    Some((value(q)? * 1000.0).round().max(0.0) as u64)
}

/// Bytes; None when the text is not a quantity.
pub fn bytes(q: &str) -> Option<u64> {
    Some(value(q)?.round().max(0.0) as u64)
}

/// The quantity in base units (cores, bytes).
pub fn value(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(q.len());
    let (number, suffix) = q.split_at(split);
    // `1e3` is a number with an exponent, but a trailing `E` alone is exa.
    let (number, suffix) = match (number.parse::<f64>(), suffix) {
        (Ok(_), _) => (number, suffix),
        (Err(_), "") if number.ends_with(['e', 'E']) => number.split_at(number.len() - 1),
        _ => return None,
    };
    let n: f64 = number.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return None,
    };
    Some(n * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_and_memory_in_every_spelling_the_api_uses() {
        assert_eq!(cpu_millis("250m"), Some(250));
        assert_eq!(cpu_millis("1.5"), Some(1500));
        assert_eq!(cpu_millis("2"), Some(2000));
        assert_eq!(cpu_millis("1234567n"), Some(1));
        assert_eq!(cpu_millis("15000000n"), Some(15));
        assert_eq!(cpu_millis("500u"), Some(1));
        assert_eq!(bytes("128Mi"), Some(134_217_728));
        assert_eq!(bytes("2G"), Some(2_000_000_000));
        assert_eq!(bytes("12345Ki"), Some(12_641_280));
        assert_eq!(bytes("1e3"), Some(1000));
        assert_eq!(bytes("1E"), Some(1_000_000_000_000_000_000));
        assert_eq!(bytes("lots"), None);
        assert_eq!(bytes("12Qi"), None);
    }
}
