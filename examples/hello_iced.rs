//! The smallest iced 0.14 app, built with the same iced features as
//! Madoguchi (tiny-skia, x11, wayland, tokio, crisp, web-colors): the
//! baseline of the start-up and memory figures in docs/benchmarks.md
//! (`tools/bench-gui.sh`).

use iced::widget::{button, column, text};

#[derive(Default)]
struct Hello {
    clicks: u32,
}

#[derive(Clone, Debug)]
enum Message {
    Click,
}

impl Hello {
    fn update(&mut self, Message::Click: Message) {
        self.clicks += 1;
    }

    fn view(&self) -> iced::Element<'_, Message> {
        column![
            text(format!("Hello, iced ({} clicks)", self.clicks)).size(24),
            button("Click").on_press(Message::Click),
        ]
        .spacing(12)
        .padding(24)
        .into()
    }
}

fn main() -> iced::Result {
    iced::application(Hello::default, Hello::update, Hello::view)
        .title("hello-iced")
        .window_size((1024.0, 768.0))
        .run()
}
