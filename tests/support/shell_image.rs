//! An image with a shell in it, built `FROM scratch` like the demo images
//! (nothing can be pulled): Debian's static busybox (`busybox-static`,
//! which scripts/test installs), its applets linked into /bin, and `sleep`
//! as the container's process so a session has something to join.

use super::{docker, TEST_LABEL};
use std::path::Path;

pub const SHELL_IMAGE: &str = "opsdeck-test-shell:busybox";
const BUSYBOX: &str = "/bin/busybox";

/// Builds the image (the engine's layer cache makes a rebuild cheap) and
/// returns its tag. A missing busybox fails the test: it is a requirement.
pub fn build_shell_image() -> String {
    assert!(
        Path::new(BUSYBOX).exists(),
        "{BUSYBOX} is required (apt-get install busybox-static)"
    );
    let dir = tempfile::tempdir().expect("a build directory");
    std::fs::create_dir_all(dir.path().join("rootfs/bin")).unwrap();
    std::fs::copy(BUSYBOX, dir.path().join("rootfs/bin/busybox")).expect("copying busybox");
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM scratch\nCOPY rootfs/ /\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
             LABEL {TEST_LABEL}=1\nENTRYPOINT [\"/bin/sleep\", \"86400\"]\n"
        ),
    )
    .unwrap();
    docker(&[
        "build",
        "--quiet",
        // A failed build leaves no `created` container for other tests to see.
        "--force-rm",
        "--tag",
        SHELL_IMAGE,
        dir.path().to_str().unwrap(),
    ]);
    SHELL_IMAGE.to_string()
}
