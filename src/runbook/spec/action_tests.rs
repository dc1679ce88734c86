use super::*;

fn same(s: &str) -> Result<String, String> {
    Ok(s.to_string())
}

#[test]
fn resolves_numbers_and_trims() {
    let spec = ActionSpec::Scale {
        workload: " local/shop/api ".into(),
        replicas: "4.0".into(),
    };
    assert_eq!(
        spec.resolve(&mut same).unwrap(),
        Action::Scale {
            workload: "local/shop/api".into(),
            replicas: 4
        }
    );
    let bad = ActionSpec::DbTerminate {
        target: "db".into(),
        pid: "abc".into(),
    };
    assert!(bad
        .resolve(&mut same)
        .unwrap_err()
        .contains("`pid` must be a whole number"));
}

#[test]
fn empty_required_fields_and_blank_optionals() {
    let spec = ActionSpec::Rollback {
        workload: "".into(),
        to: None,
    };
    assert!(spec.resolve(&mut same).unwrap_err().contains("`workload`"));
    let spec = ActionSpec::Rollback {
        workload: "w".into(),
        to: Some(" ".into()),
    };
    assert_eq!(
        spec.resolve(&mut same).unwrap(),
        Action::Rollback {
            workload: "w".into(),
            to: None
        }
    );
}

#[test]
fn every_kind_resolves_and_reports_its_strings() {
    let specs = [
        ActionSpec::Restart {
            workload: "w".into(),
        },
        ActionSpec::Deploy {
            workload: "w".into(),
            image: "i:2".into(),
        },
        ActionSpec::DbCancel {
            target: "db".into(),
            pid: "7".into(),
        },
        ActionSpec::Shell {
            command: "c".into(),
            undo: Some("u".into()),
        },
    ];
    for spec in specs {
        let action = spec.resolve(&mut same).unwrap();
        assert_eq!(action.kind(), spec.kind());
        assert!(!action.describe().is_empty());
        assert!(!spec.strings().is_empty());
    }
}

#[test]
fn inverses_put_back_what_was_there() {
    let prior = Prior {
        replicas: Some(2),
        image: Some("api:1".into()),
        revision: Some("3".into()),
    };
    let scale = Action::Scale {
        workload: "w".into(),
        replicas: 5,
    };
    assert_eq!(
        scale.inverse(&prior),
        Some(Action::Scale {
            workload: "w".into(),
            replicas: 2
        })
    );
    assert_eq!(scale.inverse(&Prior::default()), None);
    let deploy = Action::Deploy {
        workload: "w".into(),
        image: "api:2".into(),
    };
    assert_eq!(
        deploy.inverse(&prior),
        Some(Action::Rollback {
            workload: "w".into(),
            to: Some("3".into())
        })
    );
    let rollback = Action::Rollback {
        workload: "w".into(),
        to: None,
    };
    assert_eq!(
        rollback.inverse(&prior),
        Some(Action::Deploy {
            workload: "w".into(),
            image: "api:1".into()
        })
    );
    let shell = Action::Shell {
        command: "on".into(),
        undo: Some("off".into()),
    };
    assert_eq!(
        shell.inverse(&prior),
        Some(Action::Shell {
            command: "off".into(),
            undo: None
        })
    );
    assert_eq!(
        Action::Restart {
            workload: "w".into()
        }
        .inverse(&prior),
        None
    );
    assert_eq!(
        Action::DbTerminate {
            target: "d".into(),
            pids: vec![1]
        }
        .inverse(&prior),
        None
    );
}

#[test]
fn serializes_with_an_action_tag() {
    let a = Action::DbTerminate {
        target: "main-db".into(),
        pids: vec![42, 43],
    };
    let json = serde_json::to_string(&a).unwrap();
    assert_eq!(
        json,
        r#"{"action":"db_terminate","target":"main-db","pids":[42,43]}"#
    );
    assert_eq!(serde_json::from_str::<Action>(&json).unwrap(), a);
    // A timeline from before lists of PIDs still reads.
    let old = r#"{"action":"db_terminate","target":"main-db","pid":42}"#;
    assert_eq!(
        serde_json::from_str::<Action>(old).unwrap(),
        Action::DbTerminate {
            target: "main-db".into(),
            pids: vec![42]
        }
    );
}

#[test]
fn a_pid_template_may_give_several() {
    let spec = ActionSpec::DbTerminate {
        target: "db".into(),
        pid: " 4242, 4243 ,".into(),
    };
    assert_eq!(
        spec.resolve(&mut same).unwrap(),
        Action::DbTerminate {
            target: "db".into(),
            pids: vec![4242, 4243]
        }
    );
    let none = ActionSpec::DbTerminate {
        target: "db".into(),
        pid: "".into(),
    };
    assert!(none.resolve(&mut same).unwrap_err().contains("empty"));
}
