//! The copy recipes on a Compose replica and image captured from the real
//! engine (docker-compose 1.29.2 on Docker 20.10).

use super::*;
use bollard::models::ImageInspect;

fn fixture() -> Replica {
    let text = include_str!("../../../tests/fixtures/docker/action_compose_replica.json");
    Replica::from_inspect(serde_json::from_str(text).expect("inspect fixture"))
}

fn image() -> ImageConfig {
    let text = include_str!("../../../tests/fixtures/docker/action_demo_image_v1.json");
    let i: ImageInspect = serde_json::from_str(text).expect("image fixture");
    i.config.expect("image config")
}

#[test]
fn reads_number_image_and_name() {
    let r = fixture();
    assert_eq!(r.name, "opsdeck-test-actions-fx_api_1");
    assert_eq!(r.number, 1);
    assert_eq!(r.image, "opsdeck-demo:v1");
    assert!(r.image_id.starts_with("sha256:"));
    assert!(r.running);
    assert!(
        r.fixed_host_ports().is_empty(),
        "{:?}",
        r.fixed_host_ports()
    );
}

#[test]
fn scale_clone_keeps_labels_env_and_alias_with_the_next_number() {
    let r = fixture();
    let (body, rest) = scale_clone(&r, 3, "api");
    let labels = body.labels.as_ref().unwrap();
    assert_eq!(labels[NUMBER], "3");
    assert_eq!(labels[ONEOFF], "False");
    assert_eq!(labels[PROJECT], "opsdeck-test-actions-fx");
    assert_eq!(labels["team"], "shop");
    assert!(labels.contains_key("com.docker.compose.config-hash"));
    assert!(body
        .env
        .as_ref()
        .unwrap()
        .contains(&"API_TOKEN=s3cret-value".to_string()));
    assert_eq!(body.hostname, None, "the template's hostname is its id");
    assert_eq!(body.image.as_deref(), Some("opsdeck-demo:v1"));
    assert!(body.healthcheck.is_some());
    let nets = body.networking_config.unwrap().endpoints_config.unwrap();
    let ep = &nets["opsdeck-test-actions-fx_default"];
    assert_eq!(ep.aliases.as_deref(), Some(&["api".to_string()][..]));
    assert!(rest.is_empty());
    let ports = body.host_config.unwrap().port_bindings.unwrap();
    let b = ports["8080/tcp"].as_ref().unwrap();
    assert_eq!(b[0].host_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(b[0].host_port.as_deref(), Some(""));
}

#[test]
fn replacement_drops_what_the_old_image_supplied() {
    let r = fixture();
    let (body, _) = replacement(&r, "opsdeck-demo:v2", &image(), Some("api"));
    assert_eq!(body.image.as_deref(), Some("opsdeck-demo:v2"));
    let env = body.env.unwrap();
    // Set on the container: kept. Baked into v1: left to the new image.
    assert_eq!(env, vec!["API_TOKEN=s3cret-value".to_string()]);
    assert_eq!(body.healthcheck, None);
    assert_eq!(body.entrypoint, None);
    let labels = body.labels.unwrap();
    assert!(!labels.contains_key("opsdeck.binary.sha256"));
    assert_eq!(labels[NUMBER], "1");
    assert_eq!(labels["team"], "shop");
}

#[test]
fn clone_names_follow_the_template_s_compose_version() {
    assert_eq!(compose_name("shop", "api", 3), "shop_api_3");
    let mut r = fixture();
    let p = "opsdeck-test-actions-fx";
    assert_eq!(clone_name(&r, p, "api", 2), format!("{p}_api_2"));
    r.name = format!("{p}-api-1");
    assert_eq!(clone_name(&r, p, "api", 2), format!("{p}-api-2"));
}

#[test]
fn a_fixed_host_port_is_named_and_clones_publish_on_an_ephemeral_one() {
    let mut r = fixture();
    let hc = r.inspect.host_config.as_mut().unwrap();
    let b = hc
        .port_bindings
        .as_mut()
        .unwrap()
        .get_mut("8080/tcp")
        .unwrap();
    b.as_mut().unwrap()[0].host_port = Some("18080".into());
    assert_eq!(r.fixed_host_ports(), ["8080/tcp → host 18080"]);
    let (clone, _) = scale_clone(&r, 2, "api");
    let ports = clone.host_config.unwrap().port_bindings.unwrap();
    assert_eq!(
        ports["8080/tcp"].as_ref().unwrap()[0].host_port.as_deref(),
        Some("")
    );
    // A replacement keeps the fixed port: the old container has stopped by then.
    let (body, _) = replacement(&r, "x:v2", &image(), Some("api"));
    let ports = body.host_config.unwrap().port_bindings.unwrap();
    assert_eq!(
        ports["8080/tcp"].as_ref().unwrap()[0].host_port.as_deref(),
        Some("18080")
    );
}
