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

/// Training as the trainer reports it: a bar over every step of a model's epochs showing the
/// last loss, and a line per epoch with the validation metrics.
#[derive(Default)]
pub struct Training {
    bar: Option<ProgressBar>,
}

impl ironcell_models::trainer::Observer for Training {
    fn start(&mut self, what: &str, epochs: usize, steps: usize) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.bar = Some(training(epochs * steps, what.to_owned()));
    }

    fn step(&mut self, _: usize, loss: f64) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{loss:.4}"));
            bar.inc(1);
        }
    }

    fn epoch(&mut self, record: &ironcell_models::trainer::EpochRecord) {
        let validation: Vec<String> = record
            .validation
            .iter()
            .map(|(label, v)| format!("{label} MSE {:.4} Pearson {:.3}", v.mse, v.pearson))
            .collect();
        let line = format!(
            "epoch {:>3}: lr {:.2e}, train loss {:.4}{}{}",
            record.epoch + 1,
            record.learning_rate,
            record.train_loss,
            if validation.is_empty() {
                String::new()
            } else {
                format!("; validation {}", validation.join(", "))
            },
            if record.best { " (best)" } else { "" }
        );
        match &self.bar {
            Some(bar) => bar.println(line),
            None => println!("{line}"),
        }
    }
}

impl Drop for Training {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// A bar over `total` genotypes scored, labelled `prefix`, with the rate and time left.
pub fn scoring(total: u64, prefix: String) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>14} [{bar:30}] {human_pos}/{human_len} genotypes, {per_sec} ({eta} left)",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    bar.set_prefix(prefix);
    bar
}
