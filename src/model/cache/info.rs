//! `INFO` as Redis (and Valkey) write it: `# Section` headers and
//! `field:value` lines. Pure, so it is tested on text captured from a real
//! server (tests/fixtures/redis/).

use super::{Persistence, ReplicaLink, Replication};
use serde::Serialize;
use std::collections::HashMap;

/// What one `INFO` said that the Cache view and the rules use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Info {
    pub version: String,
    pub uptime_secs: u64,
    pub used_memory: u64,
    /// 0 when no limit is set.
    pub maxmemory: u64,
    pub maxmemory_policy: String,
    pub connected_clients: u64,
    pub blocked_clients: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub evicted_keys: u64,
    pub expired_keys: u64,
    pub total_commands: u64,
    /// Keys over every database.
    pub keys: u64,
    /// Still loading its dataset from disk after a start.
    pub loading: bool,
    pub persistence: Persistence,
    pub replication: Replication,
}

/// Reads `INFO` text; a field the view depends on that is missing or not a
/// number makes it an error, since a server that answers that is not one
/// opsdeck can judge.
pub fn parse(text: &str) -> Result<Info, String> {
    let mut fields: HashMap<&str, &str> = HashMap::new();
    let mut keys = 0;
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if k.starts_with("db") && k[2..].chars().all(|c| c.is_ascii_digit()) {
            keys += sub_field(v, "keys").unwrap_or(0);
        }
        fields.insert(k, v);
    }
    let text_of = |k: &str| -> Result<String, String> {
        fields.get(k).map(|v| v.to_string()).ok_or_else(|| {
            format!("INFO has no {k} (not a Redis server, or a version opsdeck cannot read)")
        })
    };
    let num = |k: &str| -> Result<u64, String> {
        let v = text_of(k)?;
        v.parse::<u64>()
            .map_err(|_| format!("INFO {k} is {v:?}, not a number"))
    };
    let signed = |k: &str| fields.get(k).and_then(|v| v.parse::<i64>().ok());
    let flag = |k: &str| fields.get(k).is_some_and(|v| *v == "1");
    let ok = |k: &str| fields.get(k).is_none_or(|v| *v == "ok");
    let persistence = Persistence {
        rdb_last_save_time: signed("rdb_last_save_time"),
        rdb_changes_since_last_save: signed("rdb_changes_since_last_save").unwrap_or(0),
        rdb_bgsave_in_progress: flag("rdb_bgsave_in_progress"),
        rdb_last_bgsave_ok: ok("rdb_last_bgsave_status"),
        aof_enabled: flag("aof_enabled"),
        aof_rewrite_in_progress: flag("aof_rewrite_in_progress"),
        aof_last_write_ok: ok("aof_last_write_status"),
        aof_last_bgrewrite_ok: ok("aof_last_bgrewrite_status"),
    };
    let replication = match text_of("role")?.as_str() {
        "master" => Replication::Primary {
            replicas: (0..)
                .map_while(|i| fields.get(format!("slave{i}").as_str()).copied())
                .map(replica_link)
                .collect(),
        },
        "slave" => Replication::Replica {
            primary: format!(
                "{}:{}",
                fields.get("master_host").unwrap_or(&"?"),
                fields.get("master_port").unwrap_or(&"?")
            ),
            link_up: fields.get("master_link_status") == Some(&"up"),
            last_io_secs: signed("master_last_io_seconds_ago").filter(|s| *s >= 0),
            link_down_secs: signed("master_link_down_since_seconds").filter(|s| *s >= 0),
            sync_in_progress: flag("master_sync_in_progress"),
        },
        other => return Err(format!("INFO role is {other:?}, expected master or slave")),
    };
    Ok(Info {
        version: text_of("redis_version")?,
        uptime_secs: num("uptime_in_seconds")?,
        used_memory: num("used_memory")?,
        maxmemory: num("maxmemory")?,
        maxmemory_policy: text_of("maxmemory_policy")?,
        connected_clients: num("connected_clients")?,
        blocked_clients: num("blocked_clients")?,
        keyspace_hits: num("keyspace_hits")?,
        keyspace_misses: num("keyspace_misses")?,
        evicted_keys: num("evicted_keys")?,
        expired_keys: num("expired_keys")?,
        total_commands: num("total_commands_processed")?,
        keys,
        loading: flag("loading"),
        persistence,
        replication,
    })
}

/// `keys` of `keys=1407,expires=0,avg_ttl=0`.
fn sub_field(value: &str, name: &str) -> Option<u64> {
    value
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| v.parse().ok())
}

/// `ip=127.0.0.1,port=16398,state=online,offset=2643,lag=0`.
fn replica_link(value: &str) -> ReplicaLink {
    let part = |name: &str| {
        value
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    ReplicaLink {
        addr: format!(
            "{}:{}",
            part("ip").unwrap_or_else(|| "?".into()),
            part("port").unwrap_or_else(|| "?".into())
        ),
        state: part("state").unwrap_or_default(),
        lag_secs: part("lag").and_then(|v| v.parse().ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from Debian's redis-server 7.0.15 (`redis-cli info`), CRLF and all.
    const EVICTING: &str = include_str!("../../../tests/fixtures/redis/info_7_0_evicting.txt");
    const PRIMARY: &str = include_str!("../../../tests/fixtures/redis/info_7_0_master.txt");
    const REPLICA: &str = include_str!("../../../tests/fixtures/redis/info_7_0_replica.txt");

    #[test]
    fn a_full_evicting_cache_as_redis_7_wrote_it() {
        let info = parse(EVICTING).unwrap();
        assert_eq!(info.version, "7.0.15");
        assert_eq!((info.used_memory, info.maxmemory), (2_099_272, 2_097_152));
        assert_eq!(info.maxmemory_policy, "allkeys-lru");
        assert_eq!((info.keyspace_hits, info.keyspace_misses), (2, 4));
        assert_eq!((info.evicted_keys, info.expired_keys), (1593, 0));
        assert_eq!((info.connected_clients, info.blocked_clients), (1, 0));
        assert_eq!(info.total_commands, 3023);
        assert_eq!(info.keys, 1407);
        assert!(!info.loading);
        assert_eq!(info.replication, Replication::Primary { replicas: vec![] });
        let p = &info.persistence;
        assert_eq!(p.rdb_changes_since_last_save, 3000);
        assert_eq!(p.rdb_last_save_time, Some(1_796_657_584));
        assert!(p.rdb_last_bgsave_ok && !p.aof_enabled && p.aof_last_write_ok);
    }

    #[test]
    fn a_primary_lists_its_replicas_and_a_replica_its_link() {
        let primary = parse(PRIMARY).unwrap();
        assert_eq!(
            primary.replication,
            Replication::Primary {
                replicas: vec![ReplicaLink {
                    addr: "127.0.0.1:16398".into(),
                    state: "online".into(),
                    lag_secs: Some(0),
                }]
            }
        );
        let replica = parse(REPLICA).unwrap();
        let Replication::Replica {
            primary, link_up, ..
        } = &replica.replication
        else {
            panic!("{:?}", replica.replication)
        };
        assert_eq!((primary.as_str(), *link_up), ("127.0.0.1:16399", true));
    }

    #[test]
    fn what_is_not_redis_is_an_error_not_zeros() {
        let e = parse("HTTP/1.1 400 Bad Request\r\n").unwrap_err();
        assert!(e.contains("INFO has no"), "{e}");
        let text = EVICTING.replace("used_memory:2099272", "used_memory:lots");
        let e = parse(&text).unwrap_err();
        assert!(e.contains("used_memory is \"lots\""), "{e}");
    }
}
