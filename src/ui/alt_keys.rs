//! Esc followed closely by a key arrives as one Alt+key: the terminal sends
//! ESC then the key's bytes, and a read that gets both together (a fast
//! typist, a slow SSH link to a bastion, tmux's send-keys) cannot tell them
//! from the Alt prefix. opsdeck binds no Alt keys, so the pair is what was
//! meant: Esc, then the key.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn unfold(key: KeyEvent) -> Vec<KeyEvent> {
    if !key.modifiers.contains(KeyModifiers::ALT) {
        return vec![key];
    }
    let mut rest = key;
    rest.modifiers.remove(KeyModifiers::ALT);
    let mut esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    esc.kind = key.kind;
    vec![esc, rest]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alt_j_is_esc_then_j_and_plain_keys_pass() {
        let alt_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::ALT);
        assert_eq!(
            unfold(alt_j),
            [
                KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
                KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)
            ]
        );
        let ctrl_alt_c = KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::ALT | KeyModifiers::CONTROL,
        );
        assert_eq!(
            unfold(ctrl_alt_c)[1],
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
        );
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(unfold(q), [q]);
    }
}
