//! Steps that wait for a person: `note` (acknowledge) and `input` (a value
//! that becomes a param), plus editing a param mid-run.

use super::{Effect, Engine, Input, Phase};
use crate::runbook::spec::param::display;
use crate::runbook::spec::StepBody;
use crate::runbook::status::StepState;
use crate::runbook::timeline::Entry;
use serde_json::Value;

impl Engine {
    pub(super) fn ask_input(
        &mut self,
        step: usize,
        param: &str,
        prompt: String,
        error: Option<String>,
    ) -> Phase {
        let spec = self.rb.params.get(param).cloned().unwrap_or_default();
        self.records[step].state = StepState::WaitingForYou;
        self.emit(Effect::AskInput {
            step: self.rb.steps[step].id.clone(),
            param: param.to_string(),
            prompt,
            choices: spec.choices,
            current: self.params.get(param).cloned().unwrap_or(Value::Null),
            error,
        });
        Phase::Inputting { step }
    }

    pub(super) fn on_inputting(&mut self, step: usize, event: Input) -> Phase {
        let (id, StepBody::Input { param, prompt }) =
            (&self.rb.steps[step].id, &self.rb.steps[step].body)
        else {
            return Phase::Inputting { step };
        };
        let (param, prompt) = (param.clone(), prompt.clone());
        match event {
            Input::InputGiven { step: s, value } if &s == id => {
                let spec = self.rb.params.get(&param).cloned().unwrap_or_default();
                match spec.parse_input(&value) {
                    Ok(v) => {
                        self.params.insert(param.clone(), v.clone());
                        self.record_step(
                            step,
                            Entry::InputGiven {
                                param,
                                value: v.clone(),
                                withheld: false,
                            },
                        );
                        let shown = display(&v);
                        self.finish_step(step, StepState::Passed, v, shown)
                    }
                    Err(e) => {
                        let text = format!("refused input `{value}`: {e}");
                        self.record_step(step, Entry::Decision { text });
                        let prompt = if prompt.is_empty() {
                            self.rb.steps[step].title.clone()
                        } else {
                            prompt
                        };
                        let scope = self.scope();
                        let prompt =
                            crate::runbook::expr::render(&prompt, &scope).unwrap_or(prompt);
                        self.ask_input(step, &param, prompt, Some(e))
                    }
                }
            }
            _ => Phase::Inputting { step },
        }
    }

    pub(super) fn on_acking(&mut self, step: usize, event: Input) -> Phase {
        match event {
            Input::Acked { step: s } if s == self.rb.steps[step].id => {
                if let StepBody::Note {
                    unresolved: true, ..
                } = self.rb.steps[step].body
                {
                    self.unresolved = Some(s);
                }
                self.finish_step(step, StepState::Passed, Value::Null, "acknowledged".into())
            }
            _ => Phase::Acking { step },
        }
    }

    /// Applies to templates resolved from now on; a refused value is
    /// recorded and changes nothing.
    pub(super) fn set_param(&mut self, name: &str, raw: &str) {
        let result = match self.rb.params.get(name) {
            Some(spec) => spec.parse_input(raw),
            None => Err(format!("no param named `{name}`")),
        };
        match result {
            Ok(v) => {
                self.params.insert(name.to_string(), v.clone());
                self.record(
                    None,
                    Entry::InputGiven {
                        param: name.to_string(),
                        value: v,
                        withheld: false,
                    },
                );
            }
            Err(e) => {
                let text = format!("refused param {name}={raw}: {e}");
                self.record(None, Entry::Decision { text });
            }
        }
    }
}
