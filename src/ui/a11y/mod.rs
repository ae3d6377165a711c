//! The accessibility tree: what a screen reader (Orca, NVDA, Narrator,
//! VoiceOver) is told of the window, and how it acts on it.
//!
//! iced 0.14 exposes nothing to assistive technology, so the App does it
//! itself through AccessKit, with no fork of iced. The tree is derived from
//! the state exactly as the view is: the same view code, drawn with a
//! recording [`Ui`](super::widget::Ui), leaves an outline (headings, texts,
//! the document's fields, buttons with the message each sends, inputs), and
//! [`build`] turns it into an AccessKit `TreeUpdate`. The App pushes one after
//! every update while an assistive technology listens (`App::publish`), and
//! turns its actions (press, focus, set a value) into the very messages a
//! click or a key sends (`App::assistive_action`).
//!
//! The platform adapter lives in a subscription ([`events`]): on Linux
//! `accesskit_unix` talks AT-SPI over D-Bus and needs no window handle.
//! Windows and macOS need adapters bound to the native window; they are not
//! built yet (see docs/accessibility.md).
//!
//! A password never reaches the tree: an input holding one is a password
//! input whose value is one mask character per typed character.

use std::collections::HashSet;
use std::rc::Rc;

use accesskit::{
    Action, Affine, Live, Node, NodeId, Rect, Role as AkRole, TextDirection, Toggled, TreeId,
    TreeInfo, TreeUpdate,
};

pub use accesskit;

use zeroize::Zeroizing;

use super::theme::{Role, Tone};
use super::widget::{Content, Group, Item};

/// What a masked character is shown as.
pub const MASK: char = '●';

const WINDOW: NodeId = NodeId(1);
const BANNER: NodeId = NodeId(2);
const DEMO: NodeId = NodeId(3);
const MAIN: NodeId = NodeId(4);
/// Nodes without a focus key are numbered from here, in drawing order.
const FIRST_PLAIN: u64 = 16;
/// Nodes with a focus key (buttons, inputs) get an id from the key, so
/// that focus and actions find them across updates.
const KEYED: u64 = 1 << 63;

/// Where the outline's items go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    Banner,
    Demo,
    Main,
}

/// Where the texts and inputs of the window are, in logical pixels, as the
/// laid-out window says ([`measure`]). Screen magnifiers follow the focus
/// by these bounds, and a screen reader's review by mouse uses them.
#[derive(Clone, Default)]
pub struct Layout {
    /// Each text drawn, in drawing order: its words (a resident's facts
    /// among them, hence zeroizing) and where it is.
    texts: Vec<(Zeroizing<String>, iced::Rectangle)>,
    /// Each text input with an id.
    inputs: Vec<(iced::widget::Id, iced::Rectangle)>,
}

impl std::fmt::Debug for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layout")
            .field("texts", &self.texts.len())
            .field("inputs", &self.inputs.len())
            .finish()
    }
}

impl Layout {
    /// The bounds of the first text with these words not taken yet.
    fn take_text(&self, taken: &mut HashSet<usize>, words: &str) -> Option<Rect> {
        let (i, (_, r)) = self
            .texts
            .iter()
            .enumerate()
            .find(|(i, (t, _))| !taken.contains(i) && t.as_str() == words)?;
        taken.insert(i);
        Some(rect(*r))
    }

    fn input(&self, id: &iced::widget::Id) -> Option<Rect> {
        self.inputs
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, r)| rect(*r))
    }
}

fn rect(r: iced::Rectangle) -> Rect {
    Rect {
        x0: f64::from(r.x),
        y0: f64::from(r.y),
        x1: f64::from(r.x + r.width),
        y1: f64::from(r.y + r.height),
    }
}

/// A widget operation that reads the [`Layout`] of the window as drawn:
/// every text and text input with its bounds, moved by the scroll offset
/// of the scrollables it is in.
#[derive(Default)]
struct Measure {
    layout: Layout,
    /// The scroll offset of each level being visited.
    offsets: Vec<iced::Vector>,
    /// The offset a scrollable just reported, for its content.
    pending: Option<iced::Vector>,
}

impl Measure {
    fn place(&self, r: iced::Rectangle) -> iced::Rectangle {
        let off = self.offsets.last().copied().unwrap_or(iced::Vector::ZERO);
        iced::Rectangle {
            x: r.x - off.x,
            y: r.y - off.y,
            ..r
        }
    }
}

impl iced::advanced::widget::Operation<Layout> for Measure {
    fn traverse(
        &mut self,
        operate: &mut dyn FnMut(&mut dyn iced::advanced::widget::Operation<Layout>),
    ) {
        let base = self.offsets.last().copied().unwrap_or(iced::Vector::ZERO);
        let scrolled = self.pending.take().unwrap_or(iced::Vector::ZERO);
        self.offsets.push(base + scrolled);
        operate(self);
        self.offsets.pop();
    }

    fn container(&mut self, _id: Option<&iced::widget::Id>, _bounds: iced::Rectangle) {
        self.pending = None;
    }

    fn scrollable(
        &mut self,
        _id: Option<&iced::widget::Id>,
        _bounds: iced::Rectangle,
        _content_bounds: iced::Rectangle,
        translation: iced::Vector,
        _state: &mut dyn iced::advanced::widget::operation::Scrollable,
    ) {
        self.pending = Some(translation);
    }

    fn text_input(
        &mut self,
        id: Option<&iced::widget::Id>,
        bounds: iced::Rectangle,
        _state: &mut dyn iced::advanced::widget::operation::TextInput,
    ) {
        self.pending = None;
        if let Some(id) = id {
            let placed = self.place(bounds);
            self.layout.inputs.push((id.clone(), placed));
        }
    }

    fn text(&mut self, _id: Option<&iced::widget::Id>, bounds: iced::Rectangle, text: &str) {
        self.pending = None;
        let placed = self.place(bounds);
        self.layout
            .texts
            .push((Zeroizing::new(text.to_owned()), placed));
    }

    fn finish(&self) -> iced::advanced::widget::operation::Outcome<Layout> {
        iced::advanced::widget::operation::Outcome::Some(self.layout.clone())
    }
}

/// Read the window's layout (a Task: it runs on the drawn window).
pub fn measure() -> iced::Task<Layout> {
    iced::advanced::widget::operate(Measure::default())
}

/// What an assistive technology can do to a node.
pub enum Target<'a, M> {
    /// Press: the button's message.
    Press(M),
    /// Take the keyboard focus: the App's focus key, and the input's widget
    /// id if it is a text input.
    Focus {
        key: String,
        input: Option<iced::widget::Id>,
    },
    /// Replace an input's text.
    SetValue(Rc<dyn Fn(String) -> M + 'a>),
}

/// A tree, and what each acting node does.
pub struct Built<'a, M> {
    pub update: TreeUpdate,
    pub targets: Vec<(NodeId, Action, Target<'a, M>)>,
}

impl<'a, M> Built<'a, M> {
    /// The target of `action` on `node`, if there is one.
    pub fn take(self, node: NodeId, action: Action) -> Option<Target<'a, M>> {
        self.targets
            .into_iter()
            .find(|(n, a, _)| *n == node && *a == action)
            .map(|(_, _, t)| t)
    }
}

/// The id of the node of a focus key.
pub fn keyed(key: &str) -> NodeId {
    // FNV-1a: stable across runs and builds (std's hasher is not).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    NodeId(KEYED | (h >> 1))
}

struct Builder<'a, 'l, M> {
    layout: Option<&'l Layout>,
    /// The layout's texts already given to a node.
    taken: HashSet<usize>,
    nodes: Vec<(NodeId, Node)>,
    targets: Vec<(NodeId, Action, Target<'a, M>)>,
    next: u64,
    used: HashSet<NodeId>,
    /// The open groups: their node and children.
    stack: Vec<(NodeId, Node, Vec<NodeId>)>,
}

impl<'a, M: Clone> Builder<'a, '_, M> {
    /// Give `node` the bounds of the text `words`, if it is drawn.
    fn place_text(&mut self, node: &mut Node, words: &str) {
        if let Some(r) = self
            .layout
            .and_then(|l| l.take_text(&mut self.taken, words))
        {
            node.set_bounds(r);
        }
    }

    fn plain_id(&mut self) -> NodeId {
        self.next += 1;
        NodeId(self.next)
    }

    /// A key's id, or a plain one if the key was used already in this tree
    /// (a drawing that registers a key twice must not break the tree).
    fn key_id(&mut self, key: &str) -> NodeId {
        let id = keyed(key);
        if self.used.insert(id) {
            id
        } else {
            self.plain_id()
        }
    }

    fn push(&mut self, id: NodeId, node: Node) {
        if let Some((_, _, children)) = self.stack.last_mut() {
            children.push(id);
        }
        self.nodes.push((id, node));
    }

    fn open(&mut self, id: NodeId, node: Node) {
        self.stack.push((id, node, Vec::new()));
    }

    fn close(&mut self) {
        if let Some((id, mut node, children)) = self.stack.pop() {
            node.set_children(children);
            self.push(id, node);
        }
    }

    fn item(&mut self, item: Item<'a, M>) {
        match item {
            Item::Text { role, text } => {
                if text.trim().is_empty() {
                    return;
                }
                let mut node = match role {
                    Role::Heading => heading(1),
                    Role::Title | Role::Choice => heading(2),
                    _ => Node::new(AkRole::Paragraph),
                };
                node.set_label(text.as_str());
                self.place_text(&mut node, &text);
                let id = self.plain_id();
                self.push(id, node);
            }
            Item::Field { label, value } => {
                let term_id = self.plain_id();
                let mut term = Node::new(AkRole::Term);
                term.set_label(label.as_str());
                self.place_text(&mut term, &label);
                self.push(term_id, term);
                let mut definition = Node::new(AkRole::Definition);
                definition.set_label(value.as_str());
                self.place_text(&mut definition, &value);
                definition.set_labelled_by(vec![term_id]);
                let id = self.plain_id();
                self.push(id, definition);
            }
            Item::Button {
                key,
                label,
                about,
                message,
                selected,
            } => {
                let id = self.key_id(&key);
                let mut node = Node::new(match selected {
                    Some(_) => AkRole::RadioButton,
                    None => AkRole::Button,
                });
                node.set_label(label.as_str());
                self.place_text(&mut node, &label);
                if let Some(a) = about {
                    node.set_description(a.as_str());
                }
                if let Some(s) = selected {
                    node.set_toggled(if s { Toggled::True } else { Toggled::False });
                }
                // A disabled button keeps its actions (and so its interfaces
                // in AT-SPI, which clients cache per object); pressing it does
                // nothing, and its state says it is disabled.
                node.add_action(Action::Click);
                node.add_action(Action::Focus);
                match message {
                    Some(m) => {
                        self.targets.push((id, Action::Click, Target::Press(m)));
                        self.targets.push((
                            id,
                            Action::Focus,
                            Target::Focus {
                                key: key.clone(),
                                input: None,
                            },
                        ));
                    }
                    None => node.set_disabled(),
                }
                self.push(id, node);
            }
            Item::Input {
                key,
                id: widget_id,
                label,
                content,
                on_input,
            } => {
                let id = self.key_id(&key);
                let run_id = self.plain_id();
                let (role, shown) = match &content {
                    Content::Secret(n) => (
                        AkRole::PasswordInput,
                        std::iter::repeat_n(MASK, *n).collect(),
                    ),
                    Content::Plain(s) => (AkRole::TextInput, s.clone()),
                };
                let mut node = Node::new(role);
                node.set_label(label.as_str());
                node.set_value(shown.as_str());
                if let Some(r) = self.layout.and_then(|l| l.input(&widget_id)) {
                    node.set_bounds(r);
                }
                node.add_action(Action::Focus);
                self.targets.push((
                    id,
                    Action::Focus,
                    Target::Focus {
                        key: key.clone(),
                        input: Some(widget_id),
                    },
                ));
                match on_input {
                    Some(f) => {
                        node.add_action(Action::SetValue);
                        self.targets
                            .push((id, Action::SetValue, Target::SetValue(f)));
                    }
                    None => node.set_read_only(),
                }
                node.set_children(vec![run_id]);
                let mut run = Node::new(AkRole::TextRun);
                run.set_character_lengths(
                    shown
                        .chars()
                        .map(|c| c.len_utf8() as u8)
                        .collect::<Vec<u8>>(),
                );
                run.set_value(shown);
                run.set_text_direction(TextDirection::LeftToRight);
                self.push(id, node);
                self.nodes.push((run_id, run));
            }
            Item::Begin(group) => {
                let id = self.plain_id();
                let node = match group {
                    Group::Status => {
                        let mut n = Node::new(AkRole::Status);
                        n.set_live(Live::Polite);
                        n
                    }
                    Group::Notice(tone) => {
                        let mut n = Node::new(if tone == Tone::Danger {
                            AkRole::Alert
                        } else {
                            AkRole::Note
                        });
                        n.set_live(if tone == Tone::Danger {
                            Live::Assertive
                        } else {
                            Live::Polite
                        });
                        n
                    }
                    Group::Error(number) => {
                        let mut n = Node::new(AkRole::Alert);
                        n.set_live(Live::Assertive);
                        n.set_description(format!("E{number}"));
                        n
                    }
                    Group::Steps => {
                        let mut n = Node::new(AkRole::Status);
                        n.set_live(Live::Polite);
                        n
                    }
                };
                self.open(id, node);
            }
            Item::End => {
                // An End without its Begin (a view's slip) closes nothing
                // that belongs to the regions.
                if self.stack.len() > 1 {
                    self.close();
                }
            }
        }
    }
}

fn heading(level: usize) -> Node {
    let mut n = Node::new(AkRole::Heading);
    n.set_level(level);
    n
}

/// The tree of a window titled `title`, from the outline of each region,
/// with the focus on `focus` (a focus key) or on the window.
pub fn build<'a, M: Clone>(
    title: &str,
    demo_label: &str,
    regions: Vec<(Region, Vec<Item<'a, M>>)>,
    focus: Option<&str>,
    placement: Option<(&Layout, f64)>,
) -> Built<'a, M> {
    let mut b = Builder {
        layout: placement.map(|(l, _)| l),
        taken: HashSet::new(),
        nodes: Vec::new(),
        targets: Vec::new(),
        next: FIRST_PLAIN,
        used: HashSet::new(),
        stack: Vec::new(),
    };
    let mut window_children = Vec::new();
    for (region, items) in regions {
        let (id, node) = match region {
            Region::Banner => (BANNER, Node::new(AkRole::Banner)),
            Region::Demo => (DEMO, {
                let mut n = Node::new(AkRole::Region);
                n.set_label(demo_label);
                n
            }),
            Region::Main => (MAIN, Node::new(AkRole::Main)),
        };
        b.open(id, node);
        for item in items {
            b.item(item);
        }
        while b.stack.len() > 1 {
            b.close();
        }
        if let Some((id, mut node, children)) = b.stack.pop() {
            node.set_children(children);
            b.nodes.push((id, node));
            window_children.push(id);
        }
    }
    let mut window = Node::new(AkRole::Window);
    window.set_label(title);
    // Bounds are in logical pixels; the window's are physical.
    if let Some((_, scale)) = placement {
        window.set_transform(Affine::scale(scale));
    }
    window.set_children(window_children);
    b.nodes.push((WINDOW, window));
    let focus = focus
        .map(keyed)
        .filter(|id| b.used.contains(id))
        .unwrap_or(WINDOW);
    Built {
        update: TreeUpdate {
            nodes: b.nodes,
            tree: Some(TreeInfo::new(WINDOW)),
            tree_id: TreeId::ROOT,
            focus,
        },
        targets: b.targets,
    }
}

/// The tree as an assistive technology walks it: one line per node,
/// indented by depth: its role, name, value, description and state. For
/// tests, logs and the documentation.
pub fn describe(update: &TreeUpdate) -> String {
    let nodes: std::collections::HashMap<NodeId, &Node> =
        update.nodes.iter().map(|(id, n)| (*id, n)).collect();
    let mut out = String::new();
    let root = update.tree.as_ref().map_or(WINDOW, |t| t.root);
    let mut stack = vec![(root, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        let Some(node) = nodes.get(&id) else {
            continue;
        };
        out.push_str(&"  ".repeat(depth));
        out.push_str(&format!("{:?}", node.role()));
        if let Some(l) = node.label() {
            out.push_str(&format!(" \"{l}\""));
        }
        if let Some(v) = node.value() {
            out.push_str(&format!(" value=\"{v}\""));
        }
        if let Some(d) = node.description() {
            out.push_str(&format!(" ({d})"));
        }
        if node.is_disabled() {
            out.push_str(" [disabled]");
        }
        if let Some(t) = node.toggled() {
            out.push_str(&format!(
                " [{}]",
                if t == Toggled::True {
                    "selected"
                } else {
                    "not selected"
                }
            ));
        }
        if update.focus == id {
            out.push_str(" [focused]");
        }
        out.push('\n');
        if node.role() != AkRole::PasswordInput && node.role() != AkRole::TextInput {
            for c in node.children().iter().rev() {
                stack.push((*c, depth + 1));
            }
        }
    }
    out
}

/// The node named `label` that can do `action` (tests drive the tree as
/// an assistive technology does).
pub fn find(update: &TreeUpdate, label: &str, action: Action) -> Option<NodeId> {
    update
        .nodes
        .iter()
        .find(|(_, n)| n.label() == Some(label) && n.supports_action(action))
        .map(|(id, _)| *id)
}

/// The platform adapter and the events it forwards.
// The platform adapters. Each has the same `Handle` (publish a tree, bind
// to the window, focus and place of the window) and `events`.
#[cfg(all(unix, not(target_os = "macos")))]
#[path = "unix.rs"]
mod platform;

#[cfg(any(windows, target_os = "macos"))]
#[path = "native.rs"]
mod platform;

pub use platform::{Handle, events, shown_after_binding};

/// An action request. Its Debug leaves out the data: a value set on the
/// password input is the password.
#[derive(Clone)]
pub struct Request(pub accesskit::ActionRequest);

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("action", &self.0.action)
            .field("target", &self.0.target_node.0)
            .finish_non_exhaustive()
    }
}

/// What the adapter tells the App.
#[derive(Clone, Debug)]
pub enum Event {
    /// The adapter runs; keep its handle.
    Ready(Handle),
    /// An assistive technology appeared and wants the tree.
    Activated,
    /// It asks for an action on a node.
    Action(Request),
    /// It went away.
    Deactivated,
    /// The window gained or lost the keyboard focus.
    WindowFocused(bool),
    /// The window moved, was resized or rescaled.
    Window(WindowChange),
    /// The window exists (Windows and macOS bind their adapter to it).
    WindowOpened(iced::window::Id),
    /// Where everything is drawn ([`measure`]).
    Layout(Layout),
}

/// A change of the window's place, size or scale, in iced's logical pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WindowChange {
    Moved(iced::Point),
    Resized(iced::Size),
    Rescaled(f32),
}
