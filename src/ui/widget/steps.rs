//! The step indicator on top of every procedure screen (カード準備 →
//! パスワード → 内容確認 → 電子署名 → 送信 → 結果), after the JCAN screens'
//! progress bar. The current step is filled and also named in words
//! ("手順 3/6") so it does not rely on colour.

use iced::widget::{column, container, row};
use iced::{Alignment, Element, Length};

use crate::fl;
use crate::flow::Step;
use crate::ui::theme::{self, Role, StepState};
use crate::ui::widget::{Group, Ui};

const STEPS: [Step; 6] = [
    Step::CardPreparation,
    Step::Password,
    Step::Review,
    Step::Signature,
    Step::Sending,
    Step::Result,
];

/// The label of one step.
pub fn label(step: Step) -> String {
    match step {
        Step::Start | Step::CardPreparation => fl!("step-card"),
        Step::Password => fl!("step-password"),
        Step::Review => fl!("step-review"),
        Step::Signature => fl!("step-signature"),
        Step::Sending => fl!("step-sending"),
        Step::Result => fl!("step-result"),
    }
}

/// The indicator with `current` highlighted; `stopped`: the procedure
/// stopped at `current` (a message of 2.2 / 3.2), drawn in red with "!".
pub fn view<'a, M: Clone + 'a>(ui: &Ui<'a, M>, current: Step, stopped: bool) -> Element<'a, M> {
    let mut r = row![].spacing(6).align_y(Alignment::Center);
    let position = STEPS.iter().position(|s| *s == current);
    for (i, step) in STEPS.iter().enumerate() {
        let state = match position {
            Some(p) if i < p => StepState::Done,
            Some(p) if i == p && stopped => StepState::Stopped,
            Some(p) if i == p => StepState::Current,
            _ => StepState::Todo,
        };
        let mark = match state {
            StepState::Done => "✓".to_string(),
            StepState::Stopped => "!".to_string(),
            _ => (i + 1).to_string(),
        };
        let font = if matches!(state, StepState::Current | StepState::Stopped) {
            theme::BOLD
        } else {
            theme::FONT
        };
        r = r.push(
            container(
                row![
                    theme::text(Role::Step, mark).font(font),
                    theme::text(Role::Step, label(*step)).font(font),
                ]
                .spacing(6),
            )
            .padding([6, 12])
            .style(theme::step(state)),
        );
        if i + 1 < STEPS.len() {
            r = r.push(theme::text(Role::Step, "›").style(theme::muted));
        }
    }
    let where_text = match position {
        Some(p) if stopped => fl!(
            "step-stopped",
            n = (p + 1).to_string(),
            of = STEPS.len().to_string(),
            name = label(current)
        ),
        Some(p) => fl!(
            "step-position",
            n = (p + 1).to_string(),
            of = STEPS.len().to_string(),
            name = label(current)
        ),
        None => String::new(),
    };
    ui.begin(Group::Steps);
    let where_line = ui.text(Role::Small, where_text).style(theme::muted);
    ui.end();
    column![r.wrap(), where_line]
        .spacing(4)
        .width(Length::Fill)
        .into()
}
