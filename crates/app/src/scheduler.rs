//! The reminder scheduler (issue 7): the clocks that are breached or due soon on a day
//! ([`App::due_clocks`]) delivered as notifications through `postmarket-notify`, each delivery
//! recorded in `notification_deliveries` under the event's idempotency key
//! (`case-<id>/<clock>/<due-soon|breached>`), so that a clock is notified once per state however
//! often the job runs. A notification no channel delivered is not recorded: the next run tries
//! again. `postmarket clocks notify` runs it once; the server can call
//! [`App::deliver_due_notifications`] from a background loop.

use postmarket_model::{Actor, Date};
use postmarket_notify::{Notification, NotificationKind, Notifier};
use postmarket_program::clocks::ClockStatus;
use serde::Serialize;
use serde_json::json;

use crate::cases::DueClock;
use crate::{App, AppError};

/// What one clock's notification came to.
#[derive(Debug, Clone, Serialize)]
pub struct ClockDelivery {
    pub key: String,
    pub case_id: i64,
    pub clock: String,
    pub kind: String,
    /// `delivered`, `already delivered` or `failed`.
    pub outcome: String,
    /// Per channel: target and error, if any.
    pub channels: serde_json::Value,
}

/// What a scheduler run did.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRun {
    pub at: Date,
    pub due: usize,
    pub delivered: usize,
    pub skipped: usize,
    pub failed: usize,
    pub deliveries: Vec<ClockDelivery>,
}

fn word<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The notification for a due clock; `None` for a clock that needs no reminder.
fn notification(d: &DueClock) -> Option<Result<Notification, AppError>> {
    let (kind, state) = match d.clock.status {
        ClockStatus::Breached => (NotificationKind::ClockBreached, "breached"),
        ClockStatus::DueSoon => (NotificationKind::ClockDueSoon, "due-soon"),
        _ => return None,
    };
    let clock = word(d.clock.kind);
    let key = format!("case-{}/{clock}/{state}", d.case_id);
    let subject = match kind {
        NotificationKind::ClockBreached => format!(
            "Case {}: {clock} clock breached ({} on {})",
            d.case_id, d.vulnerability, d.device
        ),
        _ => format!(
            "Case {}: {clock} clock due {} ({} on {})",
            d.case_id, d.clock.due, d.vulnerability, d.device
        ),
    };
    let body = format!(
        "Case {} ({} on {}, state {}): the {clock} clock is due on {} ({} days left). \
         What stops it: {}.",
        d.case_id,
        d.vulnerability,
        d.device,
        word(d.state),
        d.clock.due,
        d.clock.days_left,
        d.clock.needs
    );
    Some(
        Notification::new(kind, key, subject, body)
            .map(|n| {
                n.with_payload(json!({
                    "case": d.case_id, "device": d.device, "vulnerability": d.vulnerability,
                    "clock": clock, "due": d.clock.due, "days_left": d.clock.days_left,
                    "status": word(d.clock.status), "needs": d.clock.needs,
                }))
            })
            .map_err(|e| AppError::Internal(format!("notification for case {}: {e}", d.case_id))),
    )
}

impl App {
    /// Delivers every due clock on `at` that has not been delivered under its key yet, and
    /// records each delivery (one transaction per delivery, after the channels answered).
    pub async fn deliver_due_notifications(
        &self,
        actor: &Actor,
        at: Date,
        notifier: &Notifier,
    ) -> Result<DeliveryRun, AppError> {
        if notifier.is_empty() {
            return Err(AppError::BadInput(
                "no notification channel: set POSTMARKET_SMTP_URL and/or POSTMARKET_WEBHOOK_URL \
                 (or --smtp / --webhook)"
                    .into(),
            ));
        }
        let due = self.due_clocks(at).await?;
        let done: Vec<String> = self
            .store()
            .case_table_rows("notification_deliveries")
            .await?
            .iter()
            .filter_map(|r| r["idempotency_key"].as_str().map(String::from))
            .collect();
        let mut run = DeliveryRun {
            at,
            due: due.len(),
            delivered: 0,
            skipped: 0,
            failed: 0,
            deliveries: Vec::new(),
        };
        for d in &due {
            let Some(n) = notification(d) else { continue };
            let n = n?;
            let key = n.key().to_string();
            let mut entry = ClockDelivery {
                key: key.clone(),
                case_id: d.case_id,
                clock: word(d.clock.kind),
                kind: n.kind().as_str().to_string(),
                outcome: String::new(),
                channels: json!([]),
            };
            if done.contains(&key) {
                entry.outcome = "already delivered".into();
                run.skipped += 1;
                run.deliveries.push(entry);
                continue;
            }
            let report = notifier.deliver_async(n).await;
            entry.channels = serde_json::to_value(&report.outcomes)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            if report.any_delivered() {
                let mut w = self.store().case_write(actor).await?;
                w.insert(
                    "notification_deliveries",
                    "notification.deliver",
                    match json!({
                        "case_id": d.case_id, "idempotency_key": key, "kind": entry.kind,
                        "clock": entry.clock, "due_on": d.clock.due, "delivered_on": at,
                        "channels": entry.channels.to_string(),
                    }) {
                        serde_json::Value::Object(m) => m,
                        _ => unreachable!("a JSON object literal"),
                    },
                    Some("clock reminder delivered"),
                )
                .await?;
                w.commit().await?;
                entry.outcome = "delivered".into();
                run.delivered += 1;
            } else {
                entry.outcome = "failed".into();
                run.failed += 1;
            }
            run.deliveries.push(entry);
        }
        Ok(run)
    }
}
