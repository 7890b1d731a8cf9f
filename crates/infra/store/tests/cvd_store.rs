//! CVD reports in the store, on SQLite and on PostgreSQL (`POSTMARKET_TEST_PG`): stored whole in
//! one transaction with an audit event, idempotent by tracking id, acknowledged once, covered by
//! verify and by backup/restore.

use postmarket_model::Actor;
use postmarket_store::{CvdAttachmentMeta, NewCvdAttachment, NewCvdReport, Store, StoreError};
use sqlx::{Connection, Executor};

fn actor() -> Actor {
    Actor::new("cvd-intake").unwrap()
}

fn report(tracking_id: &str, attachments: usize) -> NewCvdReport {
    NewCvdReport {
        tracking_id: tracking_id.into(),
        received_at: "2026-03-02T09:15:00.000000Z".into(),
        channel: "api".into(),
        spooled: false,
        reporter_name: "Ada Researcher".into(),
        reporter_email: "ada@example.org".into(),
        reporter_pgp_key: None,
        reporter_organisation: Some("Example Labs".into()),
        product: "Infusion pump".into(),
        device_name: Some("Pump A".into()),
        affected_version: "2.1.0".into(),
        description: "The service port accepts unauthenticated firmware uploads.".into(),
        disclosure_deadline: Some("2026-06-01".into()),
        ack_days: 5,
        ack_due_on: "2026-03-07".into(),
        attachments: (0..attachments)
            .map(|i| NewCvdAttachment {
                meta: CvdAttachmentMeta {
                    file_name: format!("poc-{i}.txt"),
                    media_type: "text/plain".into(),
                    size_bytes: 5,
                    sha256: format!("{i:064}"),
                },
                content_base64: "aGVsbG8=".into(),
            })
            .collect(),
    }
}

async fn raw(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    conn.execute(sql).await.unwrap();
    conn.close().await.unwrap();
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
                    super::scenarios::$name(&url, dir.path()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = postmarket_testing::PgTestDb::create(stringify!($name)).await else { return };
                    let dir = tempfile::tempdir().unwrap();
                    super::scenarios::$name(&db.url, dir.path()).await;
                    db.drop_db().await;
                }
            )*
        }
    };
}

conformance!(
    reports_round_trip_with_attachments,
    the_same_tracking_id_twice_writes_nothing,
    acknowledgement_is_recorded_once_and_audited,
    edited_report_is_named_by_verify,
    backup_restore_keeps_reports,
);

mod scenarios {
    use std::path::Path;

    use super::*;

    pub async fn reports_round_trip_with_attachments(url: &str, _dir: &Path) {
        let s = Store::open(url).await.unwrap();
        assert!(s
            .insert_cvd_report(&actor(), &report("CVD-2026-AAAA", 2))
            .await
            .unwrap());
        let mut second = report("CVD-2026-BBBB", 0);
        second.received_at = "2026-03-03T10:00:00.000000Z".into();
        second.reporter_organisation = None;
        assert!(s.insert_cvd_report(&actor(), &second).await.unwrap());

        let all = s.cvd_reports().await.unwrap();
        let ids: Vec<&str> = all.iter().map(|r| r.tracking_id.as_str()).collect();
        assert_eq!(ids, ["CVD-2026-BBBB", "CVD-2026-AAAA"], "newest first");

        let r = s.cvd_report("cvd-2026-aaaa").await.unwrap();
        assert_eq!(r.reporter_email, "ada@example.org");
        assert_eq!(r.reporter_organisation.as_deref(), Some("Example Labs"));
        assert_eq!(r.device_name.as_deref(), Some("Pump A"));
        assert_eq!(r.ack_due_on, "2026-03-07");
        assert_eq!(r.acknowledged_on, None);
        assert!(!r.spooled);
        assert_eq!(r.attachments.len(), 2);
        assert_eq!(r.attachments[1].file_name, "poc-1.txt");
        let bodies = s.cvd_attachments(r.id).await.unwrap();
        assert_eq!(bodies.len(), 2);
        assert_eq!(bodies[0].ordinal, 0);
        assert_eq!(bodies[0].content_base64, "aGVsbG8=");

        let missing = s.cvd_report("CVD-2026-ZZZZ").await.unwrap_err();
        assert!(missing.is_not_found());
        assert!(missing.to_string().contains("CVD-2026-ZZZZ"), "{missing}");

        let events = s.audit_events(0, 100, None).await.unwrap();
        assert_eq!(events.len(), 2, "one event per report");
        assert!(events.iter().all(|e| e.action == "cvd.receive"));
        assert!(s.verify().await.unwrap().ok);
    }

    pub async fn the_same_tracking_id_twice_writes_nothing(url: &str, _dir: &Path) {
        let s = Store::open(url).await.unwrap();
        assert!(s
            .insert_cvd_report(&actor(), &report("CVD-2026-AAAA", 1))
            .await
            .unwrap());
        let mut again = report("CVD-2026-AAAA", 0);
        again.description = "different".into();
        assert!(!s.insert_cvd_report(&actor(), &again).await.unwrap());
        let r = s.cvd_report("CVD-2026-AAAA").await.unwrap();
        assert_ne!(r.description, "different");
        assert_eq!(s.audit_events(0, 100, None).await.unwrap().len(), 1);
        assert_eq!(s.count("cvd_attachments").await.unwrap(), 1);
    }

    pub async fn acknowledgement_is_recorded_once_and_audited(url: &str, _dir: &Path) {
        let s = Store::open(url).await.unwrap();
        s.insert_cvd_report(&actor(), &report("CVD-2026-AAAA", 0))
            .await
            .unwrap();
        let triage = Actor::new("psirt:bob").unwrap();
        let r = s
            .acknowledge_cvd_report(&triage, "CVD-2026-AAAA", "2026-03-05", Some("replied"))
            .await
            .unwrap();
        assert_eq!(r.acknowledged_on.as_deref(), Some("2026-03-05"));
        let again = s
            .acknowledge_cvd_report(&triage, "CVD-2026-AAAA", "2026-03-06", None)
            .await
            .unwrap_err();
        assert!(matches!(again, StoreError::Refused(_)), "{again:?}");
        assert!(again.to_string().contains("2026-03-05"), "{again}");
        let events = s
            .audit_events(0, 100, Some(("cvd_report", &r.id.to_string())))
            .await
            .unwrap();
        assert_eq!(events.len(), 2);
        let ack = &events[1];
        assert_eq!(ack.action, "cvd.acknowledge");
        assert_eq!(ack.actor, "psirt:bob");
        assert_eq!(ack.reason.as_deref(), Some("replied"));
        assert_eq!(
            ack.before.as_ref().unwrap()["acknowledged_on"],
            serde_json::Value::Null
        );
        assert_eq!(ack.after.as_ref().unwrap()["acknowledged_on"], "2026-03-05");
        assert!(s.verify().await.unwrap().ok);
    }

    pub async fn edited_report_is_named_by_verify(url: &str, _dir: &Path) {
        let s = Store::open(url).await.unwrap();
        s.insert_cvd_report(&actor(), &report("CVD-2026-AAAA", 0))
            .await
            .unwrap();
        raw(
            url,
            "UPDATE cvd_reports SET description = 'nothing to see' WHERE tracking_id = 'CVD-2026-AAAA'",
        )
        .await;
        let v = s.verify().await.unwrap();
        assert!(!v.ok);
        assert!(
            v.state_breaches
                .iter()
                .any(|b| b.entity.as_deref() == Some("cvd_report")),
            "{:?}",
            v.state_breaches
        );
    }

    pub async fn backup_restore_keeps_reports(url: &str, dir: &Path) {
        let s = Store::open(url).await.unwrap();
        s.insert_cvd_report(&actor(), &report("CVD-2026-AAAA", 2))
            .await
            .unwrap();
        s.acknowledge_cvd_report(&actor(), "CVD-2026-AAAA", "2026-03-04", None)
            .await
            .unwrap();
        let file = dir.join("backup.jsonl");
        s.backup(&file).await.unwrap();
        let target = postmarket_testing::sqlite_url(dir, "restored.db");
        let restored = Store::open(&target).await.unwrap();
        restored.restore(&file).await.unwrap();
        assert!(restored.verify().await.unwrap().ok);
        let r = restored.cvd_report("CVD-2026-AAAA").await.unwrap();
        assert_eq!(r.acknowledged_on.as_deref(), Some("2026-03-04"));
        assert_eq!(restored.cvd_attachments(r.id).await.unwrap().len(), 2);
    }
}
