//! Label sets as one line of text.

use std::collections::BTreeMap;

/// `k=v k=v`, in label order.
pub fn labels_text(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}
