//! Service updates built from a service as the Engine API documents it
//! (this test engine is not a swarm manager, and must not be made one).

use super::*;

fn service() -> Service {
    serde_json::from_value(serde_json::json!({
        "ID": "9mnpnzenvg8p8tdbtq4wvbkcz",
        "Version": { "Index": 19 },
        "Spec": {
            "Name": "shop_api",
            "Labels": { "com.docker.stack.namespace": "shop" },
            "TaskTemplate": {
                "ContainerSpec": { "Image": "shop-api:v2" },
                "ForceUpdate": 2
            },
            "Mode": { "Replicated": { "Replicas": 2 } }
        }
    }))
    .unwrap()
}

#[test]
fn scale_sets_the_replica_count_at_the_current_version() {
    let (u, detail) = update_for(&service(), &Verb::Scale { replicas: 5 }).unwrap();
    assert_eq!(u.service, "shop_api");
    assert_eq!(u.version, 19);
    assert!(!u.rollback);
    assert_eq!(replicas_of(&u.spec), Some(5));
    assert_eq!(image_of(&u.spec), "shop-api:v2");
    assert_eq!(detail, "replicas 2 → 5");
}

#[test]
fn restart_increments_force_update() {
    let (u, detail) = update_for(&service(), &Verb::Restart).unwrap();
    assert_eq!(u.spec.task_template.unwrap().force_update, Some(3));
    assert!(detail.starts_with("force update 2 → 3"), "{detail}");
}

#[test]
fn deploy_changes_only_the_image() {
    let (u, _) = update_for(
        &service(),
        &Verb::Deploy {
            image: "shop-api:v3".into(),
        },
    )
    .unwrap();
    assert_eq!(image_of(&u.spec), "shop-api:v3");
    assert_eq!(replicas_of(&u.spec), Some(2));
}

#[test]
fn deploy_waits_for_the_rollout_and_rolls_back_a_failed_one() {
    let deploy = Verb::Deploy {
        image: "shop-api:v3".into(),
    };
    let (u, detail) = update_for(&service(), &deploy).unwrap();
    assert!(u.await_rollout);
    let action = u.spec.update_config.and_then(|c| c.failure_action);
    assert_eq!(action, Some(FailureAction::ROLLBACK));
    assert!(
        detail.contains("failure action becomes rollback"),
        "{detail}"
    );
    let (scale, _) = update_for(&service(), &Verb::Scale { replicas: 3 }).unwrap();
    assert!(!scale.await_rollout && scale.spec.update_config.is_none());
}

#[test]
fn rollback_asks_for_the_previous_spec() {
    let (u, detail) = update_for(&service(), &Verb::Rollback { to: None }).unwrap();
    assert!(u.rollback);
    assert_eq!(
        image_of(&u.spec),
        "shop-api:v2",
        "the swarm, not opsdeck, picks the previous spec"
    );
    assert!(detail.contains("rollback=previous"), "{detail}");
    assert!(update_for(
        &service(),
        &Verb::Rollback {
            to: Some("1".into())
        }
    )
    .is_err());
}

#[test]
fn a_global_service_cannot_be_scaled() {
    let mut s = service();
    s.spec.as_mut().unwrap().mode = Some(ServiceSpecMode {
        global: Some(Default::default()),
        ..Default::default()
    });
    assert!(update_for(&s, &Verb::Scale { replicas: 3 })
        .unwrap_err()
        .contains("global"));
}

#[test]
fn the_update_request_carries_rollback_previous() {
    let (u, _) = update_for(&service(), &Verb::Rollback { to: None }).unwrap();
    let mut opts = UpdateServiceOptionsBuilder::default().version(u.version);
    if u.rollback {
        opts = opts.rollback("previous");
    }
    let built = opts.build();
    assert_eq!(built.rollback.as_deref(), Some("previous"));
    assert_eq!(built.version, 19);
}
