-- Notifications delivered by the scheduler (issue 7): one row per event, keyed by the event's
-- idempotency key (`case-<id>/<clock>/<status>`), so that a clock is not notified twice.
CREATE TABLE notification_deliveries (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    idempotency_key TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    clock           TEXT    NOT NULL,
    due_on          TEXT    NOT NULL,
    delivered_on    TEXT    NOT NULL,
    channels        TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
);
CREATE INDEX notification_deliveries_case ON notification_deliveries (case_id);
