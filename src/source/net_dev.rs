//! Interface byte counters from `/proc/net/dev`: one read for every interface,
//! where walking sysfs costs a few reads per interface, and a Docker host has
//! one veth per container.

/// (interface, received bytes, transmitted bytes) for each line of the table.
pub fn parse(text: &str) -> Vec<(String, u64, u64)> {
    text.lines()
        .skip(2)
        .filter_map(|line| {
            let (name, rest) = line.split_once(':')?;
            let f: Vec<u64> = rest
                .split_whitespace()
                .map(|v| v.parse().unwrap_or(0))
                .collect();
            // Receive: bytes packets errs drop fifo frame compressed multicast; then transmit.
            Some((name.trim().to_string(), *f.first()?, *f.get(8)?))
        })
        .collect()
}

/// Interfaces the host panes leave out: loopback, and the host ends of
/// container veth pairs, whose traffic the containers view shows per container.
pub fn is_shown(name: &str) -> bool {
    name != "lo" && !name.starts_with("veth")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_kernel_table() {
        let text = "Inter-|   Receive                                                |  Transmit\n \
face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    \
lo: 1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0\n  \
eth0: 123456789 1000 0 0 0 0 0 0 987654321 900 0 0 0 0 0 0\n\
veth1a2b3c: 5 1 0 0 0 0 0 0 7 1 0 0 0 0 0 0\n";
        let rows = parse(text);
        assert_eq!(rows[1], ("eth0".to_string(), 123456789, 987654321));
        assert_eq!(rows.len(), 3);
        let shown: Vec<_> = rows.iter().filter(|r| is_shown(&r.0)).collect();
        assert_eq!(shown.len(), 1);
    }

    #[test]
    fn reads_this_machine() {
        let rows = parse(&std::fs::read_to_string("/proc/net/dev").unwrap());
        assert!(rows.iter().any(|r| r.0 == "lo"), "{rows:?}");
    }
}
