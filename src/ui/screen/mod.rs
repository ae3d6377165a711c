//! One module per screen of the app. Each has its own `Message` and returns
//! an `Event` (or `Action`) that the parent (`ui::App`) acts on.

pub mod card_status;
pub mod cert_viewer;
pub mod change_password;
pub mod password;
pub mod procedure;
pub mod reader_choice;
pub mod server_identity;
pub mod settings;
pub mod staff_unlock;
pub mod top;
