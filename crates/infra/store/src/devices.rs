//! Devices and their releases (DESIGN.md §3).

use postmarket_model::{
    Actor, Date, Device, DeviceName, NewDevice, NewRelease, Release, ReleaseVersion,
};
use sqlx::Row;

use crate::error::duplicate_or;
use crate::schema::{read_row_json, table};
use crate::{Store, StoreError};

const DEVICE_COLUMNS: &str = "id, name, product_line, device_class, pathway, udi_di, cyber_device, safety_statement, harm_acceptance, created_at";
const RELEASE_COLUMNS: &str = "r.id, r.device_id, d.name AS device_name, r.version, r.released_at, r.end_of_support, r.install_base, r.created_at";

fn corrupt(what: &str, id: i64, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} {id}: {e}"))
}

fn device_from_row(row: &sqlx::any::AnyRow) -> Result<Device, StoreError> {
    let id: i64 = row.try_get("id")?;
    let text = |c: &str| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(c)?) };
    Ok(Device {
        id,
        name: text("name")?
            .parse()
            .map_err(|e| corrupt("device", id, e))?,
        product_line: text("product_line")?,
        class: text("device_class")?
            .parse()
            .map_err(|e| corrupt("device", id, e))?,
        pathway: text("pathway")?
            .parse()
            .map_err(|e| corrupt("device", id, e))?,
        udi_di: row.try_get("udi_di")?,
        cyber_device: row.try_get::<i64, _>("cyber_device")? != 0,
        safety_statement: row.try_get("safety_statement")?,
        harm_acceptance: row.try_get("harm_acceptance")?,
        created_at: text("created_at")?,
    })
}

fn release_from_row(row: &sqlx::any::AnyRow) -> Result<Release, StoreError> {
    let id: i64 = row.try_get("id")?;
    let date = |c: &str| -> Result<Option<Date>, StoreError> {
        row.try_get::<Option<String>, _>(c)?
            .map(|s| s.parse().map_err(|e| corrupt("release", id, e)))
            .transpose()
    };
    Ok(Release {
        id,
        device_id: row.try_get("device_id")?,
        device: row
            .try_get::<String, _>("device_name")?
            .parse()
            .map_err(|e| corrupt("release", id, e))?,
        version: row
            .try_get::<String, _>("version")?
            .parse()
            .map_err(|e| corrupt("release", id, e))?,
        released_at: date("released_at")?,
        end_of_support: date("end_of_support")?,
        install_base: row.try_get("install_base")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Inserts a release of `device` inside the write `w`, with its audit event; returns its id.
pub(crate) async fn insert_release(
    w: &mut crate::audit::Write,
    device: &Device,
    new: &NewRelease,
    reason: Option<&str>,
) -> Result<i64, StoreError> {
    new.validate()?;
    let id = next_id(w.conn(), "releases").await?;
    sqlx::query(
        "INSERT INTO releases (id, device_id, version, released_at, end_of_support, install_base, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(device.id)
    .bind(new.version.as_str())
    .bind(new.released_at.map(|d| d.to_string()))
    .bind(new.end_of_support.map(|d| d.to_string()))
    .bind(new.install_base)
    .bind(crate::now_rfc3339())
    .execute(w.conn())
    .await
    .map_err(|e| {
        duplicate_or(e, || {
            format!("release {:?} of device {:?}", new.version.as_str(), device.name.as_str())
        })
    })?;
    let after = read_row_json(w.conn(), table("releases"), id).await?;
    w.record("release.add", "release", id, None, after, reason)
        .await?;
    Ok(id)
}

pub(crate) async fn next_id(
    conn: &mut sqlx::AnyConnection,
    table: &str,
) -> Result<i64, StoreError> {
    // Safe without a sequence: writers are serialised by the audit head lock.
    Ok(
        sqlx::query_scalar(&format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"))
            .fetch_one(conn)
            .await?,
    )
}

impl Store {
    /// Registers a device model. A name already taken (ignoring case) is refused.
    pub async fn add_device(
        &self,
        actor: &Actor,
        new: &NewDevice,
        reason: Option<&str>,
    ) -> Result<Device, StoreError> {
        new.validate()?;
        let mut w = self.write(actor).await?;
        let id = next_id(w.conn(), "devices").await?;
        let created_at = crate::now_rfc3339();
        sqlx::query(&format!(
            "INSERT INTO devices ({DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(id)
        .bind(new.name.as_str())
        .bind(new.product_line.as_str())
        .bind(new.class.to_string())
        .bind(new.pathway.to_string())
        .bind(new.udi_di.as_deref())
        .bind(i64::from(new.cyber_device))
        .bind(new.safety_statement.as_deref())
        .bind(new.harm_acceptance.as_deref())
        .bind(&created_at)
        .execute(w.conn())
        .await
        .map_err(|e| duplicate_or(e, || format!("device {:?}", new.name.as_str())))?;
        let after = read_row_json(w.conn(), table("devices"), id).await?;
        w.record("device.add", "device", id, None, after, reason)
            .await?;
        w.commit().await?;
        self.device(&new.name).await
    }

    /// All devices, by name.
    pub async fn devices(&self) -> Result<Vec<Device>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices ORDER BY lower(name), id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(device_from_row).collect()
    }

    /// One device by name (case-insensitive); a miss suggests close names.
    pub async fn device(&self, name: &DeviceName) -> Result<Device, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE lower(name) = lower($1)"
        ))
        .bind(name.as_str())
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => device_from_row(&row),
            None => Err(self.device_not_found(name).await),
        }
    }

    async fn device_not_found(&self, name: &DeviceName) -> StoreError {
        let wanted = name.as_str().to_lowercase();
        let similar: Vec<String> = match self.devices().await {
            Ok(all) => all
                .into_iter()
                .map(|d| d.name.to_string())
                .filter(|n| {
                    let n = n.to_lowercase();
                    n.contains(&wanted) || wanted.contains(&n)
                })
                .take(3)
                .collect(),
            Err(_) => Vec::new(),
        };
        StoreError::NotFound {
            what: format!("device {:?}", name.as_str()),
            hint: if similar.is_empty() {
                " (postmarket device list shows the devices)".into()
            } else {
                format!("; did you mean {}?", similar.join(", "))
            },
        }
    }

    /// Records a release of a device. The same version twice is refused.
    pub async fn add_release(
        &self,
        actor: &Actor,
        new: &NewRelease,
        reason: Option<&str>,
    ) -> Result<Release, StoreError> {
        new.validate()?;
        let device = self.device(&new.device).await?;
        let mut w = self.write(actor).await?;
        insert_release(&mut w, &device, new, reason).await?;
        w.commit().await?;
        self.release(&device.name, &new.version).await
    }

    /// Releases, newest first within each device; only one device's when given.
    pub async fn releases(&self, device: Option<&DeviceName>) -> Result<Vec<Release>, StoreError> {
        let rows = match device {
            Some(name) => {
                let d = self.device(name).await?;
                sqlx::query(&format!(
                    "SELECT {RELEASE_COLUMNS} FROM releases r JOIN devices d ON d.id = r.device_id \
                     WHERE r.device_id = $1 ORDER BY r.id DESC"
                ))
                .bind(d.id)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {RELEASE_COLUMNS} FROM releases r JOIN devices d ON d.id = r.device_id \
                     ORDER BY lower(d.name), r.id DESC"
                ))
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(release_from_row).collect()
    }

    /// One release of a device by its version.
    pub async fn release(
        &self,
        device: &DeviceName,
        version: &ReleaseVersion,
    ) -> Result<Release, StoreError> {
        let d = self.device(device).await?;
        let row = sqlx::query(&format!(
            "SELECT {RELEASE_COLUMNS} FROM releases r JOIN devices d ON d.id = r.device_id \
             WHERE r.device_id = $1 AND r.version = $2"
        ))
        .bind(d.id)
        .bind(version.as_str())
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => release_from_row(&row),
            None => Err(StoreError::not_found(format!(
                "release {:?} of device {:?}",
                version.as_str(),
                d.name.as_str()
            ))),
        }
    }

    /// Counts used by the dashboard and `db verify`.
    pub async fn count(&self, table_name: &str) -> Result<i64, StoreError> {
        let t = table(table_name);
        Ok(
            sqlx::query_scalar(&format!("SELECT count(*) FROM {}", t.name))
                .fetch_one(self.pool())
                .await?,
        )
    }
}
