use serde::Serialize;

/// One reading of the local host, as the host source reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HostSnapshot {
    pub hostname: String,
    pub os: String,
    pub uptime_secs: u64,
    /// Percent of all cores, 0-100.
    pub cpu_percent: f64,
    pub cpu_per_core: Vec<f64>,
    pub mem_total_bytes: u64,
    pub mem_used_bytes: u64,
    pub swap_total_bytes: u64,
    pub swap_used_bytes: u64,
    pub load: [f64; 3],
    pub disks: Vec<DiskUsage>,
    pub networks: Vec<NetRate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiskUsage {
    pub mount: String,
    pub filesystem: String,
    pub total_bytes: u64,
    pub used_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetRate {
    pub interface: String,
    pub rx_bytes_per_sec: f64,
    pub tx_bytes_per_sec: f64,
}

pub fn ratio(used: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        used as f64 / total as f64
    }
}

impl HostSnapshot {
    /// The series this reading feeds, named as DESIGN.md lists them.
    pub fn series(&self) -> Vec<(String, f64)> {
        let mut out = vec![
            ("host:cpu".to_string(), self.cpu_percent),
            (
                "host:mem_used_ratio".into(),
                ratio(self.mem_used_bytes, self.mem_total_bytes),
            ),
            ("host:mem_used_bytes".into(), self.mem_used_bytes as f64),
            (
                "host:swap_used_ratio".into(),
                ratio(self.swap_used_bytes, self.swap_total_bytes),
            ),
            ("host:load1".into(), self.load[0]),
            ("host:load5".into(), self.load[1]),
            ("host:load15".into(), self.load[2]),
        ];
        for (i, c) in self.cpu_per_core.iter().enumerate() {
            out.push((format!("host:cpu:{i}"), *c));
        }
        for d in &self.disks {
            out.push((
                format!("host:disk:{}:used_ratio", d.mount),
                ratio(d.used_bytes, d.total_bytes),
            ));
        }
        let (mut rx, mut tx) = (0.0, 0.0);
        for n in &self.networks {
            out.push((
                format!("host:net:{}:rx_bps", n.interface),
                n.rx_bytes_per_sec,
            ));
            out.push((
                format!("host:net:{}:tx_bps", n.interface),
                n.tx_bytes_per_sec,
            ));
            rx += n.rx_bytes_per_sec;
            tx += n.tx_bytes_per_sec;
        }
        out.push(("host:net:rx_bps".into(), rx));
        out.push(("host:net:tx_bps".into(), tx));
        out
    }
}
