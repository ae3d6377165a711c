//! The certificate viewer (the client software's 証明書表示ツール): a
//! general tab (holder, issuer, validity, the four facts) and a details tab
//! (version, serial, algorithms, names, validity, key, fingerprints,
//! extensions), with export as PEM or DER to a file the user names
//! (default: the Documents folder).
//!
//! Export writes a path typed in the app rather than through a native file
//! dialog: `rfd` needs GTK (or a desktop portal) on Linux, and a counter
//! terminal should not depend on either.

use std::path::PathBuf;

use iced::Length;
use iced::widget::{Id, column, container, row, scrollable, text_input};
use madoguchi_pki::{SigningCertificate, ValidityState};
use zeroize::Zeroizing;

use super::{Action, Go, Page};
use crate::client::colon_hex;
use crate::fl;
use crate::presentation::{self, date, datetime};
use crate::ui::theme::{self, ButtonKind, Role, Tone};
use crate::ui::widget::{Content, Ui};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    General,
    Details,
}

#[derive(Clone, Debug)]
pub enum Message {
    Tab(Tab),
    Path(String),
    ExportPem,
    ExportDer,
    Close,
}

/// The viewer. Every string taken from the certificate is zeroed when the
/// viewer is dropped.
pub struct CertViewer {
    der: Zeroizing<Vec<u8>>,
    general: Vec<(String, Zeroizing<String>)>,
    details: Vec<(String, Zeroizing<String>)>,
    expired: bool,
    tab: Tab,
    path: String,
    exported: Option<Result<String, String>>,
    /// Off on a counter terminal: an export writes the holder's facts to a
    /// file nothing wipes.
    export_allowed: bool,
    path_id: Id,
}

impl std::fmt::Debug for CertViewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertViewer")
            .field("tab", &self.tab)
            .finish_non_exhaustive()
    }
}

/// Default export file: `Documents/signing-certificate.pem`.
pub fn default_export_path() -> PathBuf {
    let dir = directories::UserDirs::new()
        .and_then(|u| u.document_dir().map(|d| d.to_path_buf()))
        .or_else(|| directories::UserDirs::new().map(|u| u.home_dir().to_path_buf()))
        .unwrap_or_else(std::env::temp_dir);
    dir.join("signing-certificate.pem")
}

impl CertViewer {
    pub fn new(der: &[u8]) -> Result<CertViewer, String> {
        let cert = SigningCertificate::from_der(der).map_err(|e| e.to_string())?;
        let now = time::OffsetDateTime::now_utc();
        let z = |s: String| Zeroizing::new(s);
        let validity = format!("{} 〜 {}", date(cert.not_before()), date(cert.not_after()));
        let state = match cert.validity_at(now) {
            ValidityState::Valid => fl!("ui-cert-state-valid"),
            ValidityState::Expired => fl!("cert-expired"),
            ValidityState::NotYetValid => fl!("ui-cert-state-not-yet"),
        };
        let mut general = vec![
            (fl!("ui-cert-kind"), z(fl!("ui-cert-kind-signing"))),
            (fl!("ui-cert-state"), z(state)),
            (fl!("ui-cert-validity"), z(validity.clone())),
            (fl!("cert-issuer"), z(cert.issuer().to_owned())),
        ];
        match cert.holder() {
            Ok(mut h) => {
                let birth = presentation::birth_date(&h.birth_date);
                general.push((fl!("holder-name"), z(h.name.clone())));
                general.push((fl!("holder-address"), z(h.address.clone())));
                general.push((fl!("holder-sex"), z(presentation::sex(&h.sex))));
                general.push((fl!("holder-birth-date"), z(birth)));
                use zeroize::Zeroize;
                h.name.zeroize();
                h.address.zeroize();
            }
            Err(e) => general.push((fl!("holder-title"), z(e.to_string()))),
        }
        let key = cert.public_key();
        let key_text = match (key.bits, key.rsa_exponent) {
            (Some(b), Some(e)) => format!("{} {b} bit (e = {e})", key.algorithm),
            (Some(b), None) => format!("{} {b} bit", key.algorithm),
            _ => format!("{} ({})", key.algorithm, key.algorithm_oid),
        };
        let mut details = vec![
            (fl!("ui-cert-version"), z(format!("V{}", cert.version()))),
            (fl!("cert-serial"), z(cert.serial_hex().to_uppercase())),
            (
                fl!("ui-cert-signature-algorithm"),
                z(cert.signature_algorithm_name().to_owned()),
            ),
            (fl!("cert-issuer"), z(cert.issuer().to_owned())),
            (fl!("cert-subject"), z(cert.subject().to_owned())),
            (fl!("cert-valid-from"), z(datetime(cert.not_before()))),
            (fl!("cert-valid-until"), z(datetime(cert.not_after()))),
            (fl!("ui-cert-public-key"), z(key_text)),
            (
                fl!("cert-fingerprint"),
                z(colon_hex(&cert.sha256_fingerprint())),
            ),
            (fl!("ui-cert-sha1"), z(colon_hex(&cert.sha1_fingerprint()))),
        ];
        for e in cert.extensions() {
            let name = e.name.clone().unwrap_or_else(|| e.oid.clone());
            let critical = if e.critical {
                fl!("ui-cert-critical")
            } else {
                String::new()
            };
            details.push((format!("{name}{critical}"), z(e.value.clone())));
        }
        Ok(CertViewer {
            der: Zeroizing::new(der.to_vec()),
            general,
            details,
            expired: cert.is_expired(now),
            tab: Tab::General,
            path: default_export_path().display().to_string(),
            exported: None,
            export_allowed: true,
            path_id: Id::new("export-path"),
        })
    }

    /// The viewer without export (counter mode).
    pub fn without_export(mut self) -> CertViewer {
        self.export_allowed = false;
        self
    }

    /// Whether the viewer offers export.
    pub fn offers_export(&self) -> bool {
        self.export_allowed
    }

    /// Every text the viewer shows (for the counter-mode wipe test).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.general
            .iter()
            .chain(self.details.iter())
            .map(|(_, v)| v.as_str())
    }

    fn export(&mut self, pem: bool) {
        let mut path = PathBuf::from(self.path.trim());
        let ext = if pem { "pem" } else { "der" };
        if path.extension().is_none_or(|e| e != ext) {
            path.set_extension(ext);
        }
        let bytes = if pem {
            let b64 = der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der);
            match b64 {
                Ok(s) => s.into_bytes(),
                Err(e) => {
                    self.exported = Some(Err(e.to_string()));
                    return;
                }
            }
        } else {
            self.der.to_vec()
        };
        let result = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, bytes));
        self.exported = Some(match result {
            Ok(()) => Ok(path.display().to_string()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        });
        self.path = path.display().to_string();
    }

    pub fn update(&mut self, message: Message) -> Action<Message> {
        match message {
            Message::Tab(t) => self.tab = t,
            Message::Path(p) => {
                self.path = p;
                self.exported = None;
            }
            Message::ExportPem if self.export_allowed => self.export(true),
            Message::ExportDer if self.export_allowed => self.export(false),
            Message::ExportPem | Message::ExportDer => {}
            Message::Close => return Action::Go(Go::Back),
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ui: &Ui<'a, Message>) -> Page<'a, Message> {
        let tabs = row![
            ui.choice(
                "cert.general",
                fl!("ui-cert-tab-general"),
                Message::Tab(Tab::General),
                self.tab == Tab::General
            ),
            ui.choice(
                "cert.details",
                fl!("ui-cert-tab-details"),
                Message::Tab(Tab::Details),
                self.tab == Tab::Details
            ),
        ]
        .spacing(theme::space::S);
        let rows = match self.tab {
            Tab::General => &self.general,
            Tab::Details => &self.details,
        };
        let mut list = column![].spacing(theme::space::S);
        for (label, value) in rows {
            list = list.push(ui.fact(label.clone(), value.as_str(), Role::Body, 250.0));
        }
        let mut col = column![ui.heading(fl!("ui-cert-heading")), tabs].spacing(theme::space::M);
        if self.expired {
            col = col.push(ui.notice(Tone::Warning, fl!("cert-expired"), None));
        }
        col = col.push(
            container(scrollable(list.padding(iced::Padding::ZERO.right(16.0))))
                .padding(theme::space::M)
                .height(Length::Fixed(330.0))
                .width(Length::Fill)
                .style(theme::panel),
        );
        if !self.export_allowed {
            col = col.push(ui.small(fl!("ui-cert-export-off")));
        }
        let input_focused = self.export_allowed
            && ui.input(
                "cert.path",
                self.path_id.clone(),
                &fl!("ui-cert-export-label"),
                || Content::Plain(self.path.clone()),
                Some(Message::Path),
            );
        if self.export_allowed {
            col = col.push(
                column![
                    theme::text(Role::Label, fl!("ui-cert-export-label")),
                    text_input("", &self.path)
                        .id(self.path_id.clone())
                        .on_input(Message::Path)
                        .size(Role::Body.size())
                        .padding(8)
                        .style(theme::input(input_focused)),
                    row![
                        ui.button(
                            "cert.pem",
                            fl!("ui-cert-export-pem"),
                            Some(Message::ExportPem),
                            ButtonKind::Secondary
                        ),
                        ui.button(
                            "cert.der",
                            fl!("ui-cert-export-der"),
                            Some(Message::ExportDer),
                            ButtonKind::Secondary
                        ),
                    ]
                    .spacing(theme::space::S),
                ]
                .spacing(theme::space::S),
            );
        }
        match &self.exported {
            Some(Ok(p)) => {
                col = col.push(ui.notice(
                    Tone::Success,
                    fl!("ui-cert-exported", path = p.clone()),
                    None,
                ))
            }
            Some(Err(e)) => {
                col =
                    col.push(ui.notice(Tone::Danger, fl!("ui-cert-export-failed"), Some(e.clone())))
            }
            None => {}
        }
        col = col.push(ui.button(
            "cert.close",
            fl!("ui-close"),
            Some(Message::Close),
            ButtonKind::Primary,
        ));
        ui.on_escape(Message::Close);
        Page::new(col)
    }
}
