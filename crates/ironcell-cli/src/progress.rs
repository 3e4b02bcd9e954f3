//! Progress bars shared by the commands.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `steps` training steps, labelled `prefix`; the message shows the last loss.
pub fn training(steps: usize, prefix: String) -> ProgressBar {
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>14} [{bar:30}] {pos}/{len} steps, loss {msg} ({eta})",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    bar.set_prefix(prefix);
    bar
}
