//! What `opsdeck config init` writes: the defaults, with every section
//! shown commented out (`config check` accepts it; load.rs's tests parse it).

pub const INIT_TEMPLATE: &str = r#"# opsdeck configuration. `opsdeck config check` validates this file.
# With no targets configured, opsdeck watches the local host.

theme = "default"          # default | light | high-contrast | a path to a theme file
refresh = "2s"
# runbook_dirs = ["~/ops/runbooks"]
# read_only = true          # as --read-only on every run (a shared jump host)
# exec_command = "/bin/bash -l"   # what `s` and `opsdeck exec` run in a container (default /bin/sh)
# disable_alerts = ["HostHighCpu"]

# [[docker]]
# name = "local"
# host = "unix:///var/run/docker.sock"   # or ssh://[user@]host[:port], one ssh login kept open
# ssh_config = "~/.ssh/config-bastion"    # ssh:// only: instead of ~/.ssh/config

# [[kubernetes]]
# name = "prod"
# context = "prod-cluster"   # "*": every context of the kubeconfig
# namespaces = ["default"]

# [[prometheus]]
# name = "main"
# url = "http://127.0.0.1:9090"
# bearer_token_env = "PROM_TOKEN"

# [[scrape]]
# name = "api"
# url = "http://127.0.0.1:8080/metrics"
# requests_metric = "http_requests_total"   # by default a *_requests_total counter with a code label

# [[probe]]
# name = "site"
# url = "http://127.0.0.1:8080/health"
# interval = "5s"
# timeout = "2s"
# ca_file = "/etc/ssl/internal-ca.pem"   # trusted besides the system roots
# expect_cache = { max_age_at_least = "1h", etag = true }   # what a CDN needs to cache it

# [[service]]                           # a row of the metrics view's latency pane
# name = "shop"
# prometheus = "main"                   # RED queries over its histogram and counter
# selector = 'job="api"'
# scrape = "api"                        # used when PromQL has nothing fresh
# probe = "site"

# [[postgres]]
# name = "main-db"
# url_env = "OPSDECK_MAIN_DB_URL"

# [[redis]]                             # a cache: memory, hit ratio, evictions, latency
# name = "cache"
# url_env = "OPSDECK_CACHE_URL"         # redis://:PASSWORD@host:6379/0 or rediss:// (TLS, verified)
# workload = "local/shop/api"           # the application that reads through it
# max_maxmemory = "4gb"                 # the most `opsdeck maxmemory` may raise maxmemory to
# [[backup]]                            # shown beside the [[postgres]] it protects
# name = "main-db-dumps"
# postgres = "main-db"
# path = "/var/backups/pg/*.dump"       # newest file's age and size; or wal_archive = true,
# max_age = "26h"                       #   or command = "..." printing the last backup's time
# restore_to = "main-db"                # whose server takes a restore drill's scratch database (v)

# [[panel]]
# title = "API p95 latency"
# prometheus = "main"
# query = 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'
# unit = "s"

# [[alert]]                               # added to the built-in rules; a same name replaces one
# name = "HighErrorRate"
# metric = "probe:site:error_ratio"       # or promql = '...' with prometheus = "main"
# op = ">"
# threshold = 0.05
# for = "5m"
# severity = "critical"
# runbook = "site-down"                   # or runbook_url = "https://..."
"#;
