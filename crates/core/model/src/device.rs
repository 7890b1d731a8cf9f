use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{check_label, InvalidValue};

/// A device model's name as the manufacturer markets it; unique within Postmarket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceName(String);

impl FromStr for DeviceName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        check_label("device name", s, 200, "1 to 200 printable characters").map(Self)
    }
}

impl TryFrom<String> for DeviceName {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<DeviceName> for String {
    fn from(n: DeviceName) -> Self {
        n.0
    }
}

impl DeviceName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// FDA device classification (21 CFR 860): the class sets the premarket pathway and how much
/// scrutiny a change gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeviceClass {
    #[serde(rename = "I")]
    I,
    #[serde(rename = "II")]
    II,
    #[serde(rename = "III")]
    III,
}

impl FromStr for DeviceClass {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "I" | "1" => Ok(Self::I),
            "II" | "2" => Ok(Self::II),
            "III" | "3" => Ok(Self::III),
            _ => Err(InvalidValue::new("device class", s, "I, II or III")),
        }
    }
}

impl fmt::Display for DeviceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::I => "I",
            Self::II => "II",
            Self::III => "III",
        })
    }
}

/// The marketing authorisation the device holds. PMA devices report cybersecurity changes in
/// the PMA annual report (21 CFR 814.84), so the pathway decides which reports apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pathway {
    Pma,
    #[serde(rename = "510k")]
    Premarket510k,
    DeNovo,
    Exempt,
}

impl FromStr for Pathway {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['(', ')', '_', ' '], "")
            .as_str()
        {
            "pma" => Ok(Self::Pma),
            "510k" => Ok(Self::Premarket510k),
            "denovo" | "de-novo" => Ok(Self::DeNovo),
            "exempt" => Ok(Self::Exempt),
            _ => Err(InvalidValue::new(
                "pathway",
                s,
                "pma, 510k, de-novo or exempt",
            )),
        }
    }
}

impl fmt::Display for Pathway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pma => "pma",
            Self::Premarket510k => "510k",
            Self::DeNovo => "de-novo",
            Self::Exempt => "exempt",
        })
    }
}

/// What a user supplies to register a device model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDevice {
    pub name: DeviceName,
    pub product_line: String,
    pub class: DeviceClass,
    pub pathway: Pathway,
    /// UDI device identifier (21 CFR 830), used in the PMA annual report.
    pub udi_di: Option<String>,
    /// A "cyber device" under FD&C Act section 524B (software, connects to the internet,
    /// could be vulnerable to cybersecurity threats).
    pub cyber_device: bool,
    /// The device's safety and essential performance, against which harm is judged.
    pub safety_statement: Option<String>,
    /// The manufacturer's harm acceptance criteria for this device.
    pub harm_acceptance: Option<String>,
}

impl NewDevice {
    pub fn new(name: DeviceName, product_line: &str, class: DeviceClass, pathway: Pathway) -> Self {
        Self {
            name,
            product_line: product_line.trim().to_string(),
            class,
            pathway,
            udi_di: None,
            cyber_device: true,
            safety_statement: None,
            harm_acceptance: None,
        }
    }

    /// Checks the free-text fields; the typed ones were checked when they were parsed.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        check_label(
            "product line",
            &self.product_line,
            100,
            "1 to 100 printable characters",
        )?;
        if let Some(udi) = &self.udi_di {
            if udi.trim().is_empty()
                || udi.len() > 100
                || !udi.chars().all(|c| c.is_ascii_graphic())
            {
                return Err(InvalidValue::new(
                    "UDI-DI",
                    udi.clone(),
                    "1 to 100 visible ASCII characters (e.g. a GS1 GTIN)",
                ));
            }
        }
        Ok(())
    }
}

/// A registered device model as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: i64,
    pub name: DeviceName,
    pub product_line: String,
    pub class: DeviceClass,
    pub pathway: Pathway,
    pub udi_di: Option<String>,
    pub cyber_device: bool,
    pub safety_statement: Option<String>,
    pub harm_acceptance: Option<String>,
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_and_pathway_parse_common_spellings() {
        assert_eq!("ii".parse::<DeviceClass>().unwrap(), DeviceClass::II);
        assert_eq!("3".parse::<DeviceClass>().unwrap(), DeviceClass::III);
        assert!("IV".parse::<DeviceClass>().is_err());
        assert_eq!("510(k)".parse::<Pathway>().unwrap(), Pathway::Premarket510k);
        assert_eq!("De Novo".parse::<Pathway>().unwrap(), Pathway::DeNovo);
        let err = "ide".parse::<Pathway>().unwrap_err();
        assert!(err.to_string().contains("pma, 510k, de-novo or exempt"));
    }

    #[test]
    fn serde_uses_the_display_spellings() {
        assert_eq!(
            serde_json::to_string(&Pathway::Premarket510k).unwrap(),
            "\"510k\""
        );
        assert_eq!(serde_json::to_string(&DeviceClass::II).unwrap(), "\"II\"");
    }

    #[test]
    fn validate_refuses_empty_product_line_and_bad_udi() {
        let mut d = NewDevice::new(
            "Pump".parse().unwrap(),
            "",
            DeviceClass::II,
            Pathway::Premarket510k,
        );
        assert!(d.validate().is_err());
        d.product_line = "Infusion".into();
        d.udi_di = Some("has space".into());
        assert!(d.validate().is_err());
        d.udi_di = Some("00812345678901".into());
        d.validate().unwrap();
    }
}
