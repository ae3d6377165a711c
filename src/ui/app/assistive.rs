//! The App's side of the accessibility tree (`ui::a11y`): the outline of
//! everything on screen, pushed to the adapter after each update while an
//! assistive technology listens, and its actions turned into the messages a
//! click, a key or typing sends.

use iced::{Element, Task};

use super::{App, Message};
use crate::fl;
use crate::ui::a11y::{self, Built, Event, Region, Target, WindowChange};
use crate::ui::theme::Tone;
use crate::ui::widget::{Item, Ui};
use crate::ui::{demo_bar, header};

impl App {
    /// The warnings about the settings files, shown above every screen.
    pub(super) fn problems<'a>(&'a self, ui: &Ui<'a, Message>) -> Vec<Element<'a, Message>> {
        self.settings_problems
            .iter()
            .map(|p| ui.notice(Tone::Warning, fl!("ui-settings-problem"), Some(p.clone())))
            .collect()
    }

    /// Everything on screen, as assistive technology is told it: the
    /// header, the demo bar, the settings warnings and the screen.
    pub fn accessibility(&self) -> Built<'_, Message> {
        let context = &self.context;
        let header_ui = Ui::recording(context);
        let _ = header::view(&header_ui, self.header_info());
        let banner = lifted(header_ui, Message::Header);
        let mut regions = vec![(Region::Banner, banner)];
        if let Some(info) = self.demo_info() {
            let demo_ui = Ui::recording(context);
            let _ = demo_bar::view(&demo_ui, info);
            regions.push((Region::Demo, lifted(demo_ui, Message::DemoBar)));
        }
        let problems_ui = Ui::recording(context);
        let _ = self.problems(&problems_ui);
        let mut main = problems_ui.into_parts().1;
        main.extend(self.screen.outline(context));
        regions.push((Region::Main, main));
        let scale = f64::from(self.scale_factor() * self.window.2);
        a11y::build(
            &self.title(),
            &fl!("ui-demo-badge"),
            regions,
            self.focus.as_deref(),
            self.layout.as_ref().map(|l| (l, scale)),
        )
    }

    /// Push the tree to the adapter (on Linux built only if someone
    /// listens).
    pub(super) fn publish(&self) -> Task<Message> {
        match &self.assistive {
            Some(handle) => handle.publish(self.window_id, || self.accessibility().update),
            None => Task::none(),
        }
    }

    /// Bind the adapter to the window once both exist (Windows, macOS:
    /// the window is shown then).
    fn bind(&mut self) -> Task<Message> {
        match (&self.assistive, self.window_id) {
            (Some(handle), Some(id)) if !self.bound => {
                self.bound = true;
                handle.bind(id)
            }
            _ => Task::none(),
        }
    }

    pub(super) fn assistive_event(&mut self, event: Event) -> Task<Message> {
        match event {
            Event::Ready(handle) => {
                let focus = handle.window_focused(self.window_id, self.window_focused);
                self.assistive = Some(handle);
                self.window_bounds();
                Task::batch([focus, self.bind()])
            }
            Event::WindowOpened(id) => {
                self.window_id = Some(id);
                self.bind()
            }
            // `update` publishes the whole tree after this message (and
            // measures the layout while active).
            Event::Activated => {
                self.assistive_active = true;
                self.window_bounds();
                Task::none()
            }
            Event::Deactivated => {
                self.assistive_active = false;
                self.layout = None;
                Task::none()
            }
            Event::Layout(layout) => {
                self.layout = Some(layout);
                Task::none()
            }
            Event::Window(change) => {
                match change {
                    WindowChange::Moved(p) => self.window.0 = p,
                    WindowChange::Resized(s) => self.window.1 = s,
                    WindowChange::Rescaled(f) => self.window.2 = f,
                }
                self.window_bounds();
                Task::none()
            }
            Event::WindowFocused(focused) => {
                self.window_focused = focused;
                match &self.assistive {
                    Some(handle) => handle.window_focused(self.window_id, focused),
                    None => Task::none(),
                }
            }
            Event::Action(request) => self.assistive_action(request.0),
        }
    }

    /// Tell the adapter where the window is, in physical pixels.
    fn window_bounds(&self) {
        if let Some(handle) = &self.assistive {
            let (p, s, scale) = self.window;
            let scale = f64::from(scale);
            handle.window_bounds(accesskit::Rect {
                x0: f64::from(p.x) * scale,
                y0: f64::from(p.y) * scale,
                x1: f64::from(p.x + s.width) * scale,
                y1: f64::from(p.y + s.height) * scale,
            });
        }
    }

    /// An action of the assistive technology, as the same message a click,
    /// a key or typing would send.
    pub fn assistive_action(&mut self, request: accesskit::ActionRequest) -> Task<Message> {
        tracing::debug!(action = ?request.action, node = request.target_node.0, "assistive action");
        let value = match request.data {
            Some(accesskit::ActionData::Value(v)) => Some(String::from(v)),
            _ => None,
        };
        let target = self
            .accessibility()
            .take(request.target_node, request.action)
            .map(|t| match t {
                Target::Press(m) => Ok(m),
                Target::Focus { key, input } => Err((key, input)),
                Target::SetValue(f) => match value {
                    Some(v) => Ok(f(v)),
                    None => Err((String::new(), None)),
                },
            });
        match target {
            Some(Ok(message)) => self.update(message),
            Some(Err((key, input))) if !key.is_empty() => {
                self.focus = Some(key);
                self.refresh_context();
                match input {
                    Some(id) => iced::widget::operation::focus(id),
                    None => {
                        iced::widget::operation::focus(iced::widget::Id::new("madoguchi-no-input"))
                    }
                }
            }
            _ => Task::none(),
        }
    }
}

/// A component's outline in the App's messages.
fn lifted<'a, M: Clone + 'a>(
    ui: Ui<'a, M>,
    wrap: impl Fn(M) -> Message + Copy + 'a,
) -> Vec<Item<'a, Message>> {
    ui.into_parts().1.into_iter().map(|i| i.map(wrap)).collect()
}
