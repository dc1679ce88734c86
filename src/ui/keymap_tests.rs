//! The keymap's tests, apart so keymap.rs holds the bindings alone.

use super::*;

fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
    KeyEvent::new(c, m)
}

#[test]
fn scope_order_decides_a_shared_key() {
    let l = key(KeyCode::Char('l'), KeyModifiers::NONE);
    assert_eq!(intent_for(&[S::Panes, S::Global], l), Some(A::Right));
    assert_eq!(
        intent_for(&[S::Table, S::Workload, S::Global], l),
        Some(A::Logs)
    );
    let esc = key(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(intent_for(&[S::Confirm, S::Global], esc), Some(A::Cancel));
    assert_eq!(intent_for(&[S::Global], esc), Some(A::Back));
}

#[test]
fn ctrl_must_match_and_shift_is_ignored() {
    let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(intent_for(&[S::Global], ctrl_c), Some(A::Quit));
    let ctrl_q = key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert_eq!(intent_for(&[S::Global], ctrl_q), None);
    let big_n = key(KeyCode::Char('N'), KeyModifiers::SHIFT);
    assert_eq!(intent_for(&[S::Logs], big_n), Some(A::PrevMatch));
}

#[test]
fn no_key_is_bound_twice_in_one_scope() {
    for b1 in BINDINGS {
        for (k1, a1) in b1.keys {
            let same: Vec<_> = BINDINGS
                .iter()
                .filter(|b2| b2.scope == b1.scope)
                .flat_map(|b2| b2.keys.iter())
                .filter(|(k2, a2)| k2 == k1 && a2 != a1)
                .collect();
            assert!(same.is_empty(), "{:?} {k1:?} bound twice", b1.scope);
        }
    }
}
