//! Planning for a Compose service: its containers carry the project and
//! service labels and are numbered by `container-number`.

use super::engine::image_id;
use super::replica::{clone_name, Replica};
use super::rolling::image_ref;
use super::work::{replace_steps, restart_steps, step, Work};
use super::Ctx;
use crate::action::{Plan, Request, StepOp, Verb};
use crate::model::WorkloadKind;

pub async fn plan(
    ctx: &Ctx<'_>,
    req: &Request,
    project: &str,
    service: &str,
    replicas: Vec<Replica>,
) -> Result<(Plan, Work), String> {
    let addr = &req.workload;
    let current = replicas.len() as u32;
    let (summary, steps, work) = match &req.verb {
        // Refused before planning (`plan_with_work`); here for completeness.
        Verb::Silence { .. }
        | Verb::Expire
        | Verb::Cancel
        | Verb::Terminate
        | Verb::Load { .. }
        | Verb::DeletePod { .. }
        | Verb::Stop
        | Verb::Start
        | Verb::Kill { .. }
        | Verb::Exec { .. }
        | Verb::Maxmemory { .. }
        | Verb::Verify
        | Verb::Dump => return Err(req.verb.not_for_workload(addr)),
        Verb::Autoscale { .. } => return Err(Verb::not_autoscaled(addr)),
        Verb::Scale { replicas: want } => {
            let want = *want;
            if want == current {
                let why = format!("{addr} already has {current} replica(s)");
                (why.clone(), Vec::new(), Work::Nothing(why))
            } else if want > current {
                let template = replicas
                    .iter()
                    .find(|r| r.running)
                    .or(replicas.first())
                    .cloned()
                    .ok_or_else(|| format!("{addr} has no container to copy"))?;
                let next = replicas.iter().map(|r| r.number).max().unwrap_or(0) + 1;
                let numbers: Vec<u32> = (next..next + (want - current)).collect();
                let fixed = template.fixed_host_ports();
                let mut steps = Vec::new();
                for n in &numbers {
                    let name = clone_name(&template, project, service, *n);
                    let mut detail = format!(
                        "copy of {} ({}), container-number {n}, alias {service}",
                        template.name, template.image
                    );
                    if !fixed.is_empty() {
                        detail.push_str(&format!(
                            "; {} taken by {}, so this copy publishes on an ephemeral host port",
                            fixed.join(", "),
                            template.name
                        ));
                    }
                    steps.push(step(StepOp::Create, &name, detail));
                    steps.push(step(StepOp::Start, &name, format!("replica {n}")));
                    steps.push(step(StepOp::WaitHealthy, &name, ctx.gate.describe()));
                }
                let work = Work::ScaleUp {
                    template: Box::new(template),
                    project: project.to_string(),
                    service: service.to_string(),
                    numbers,
                };
                (format!("scale {addr} {current} → {want}"), steps, work)
            } else {
                let remove: Vec<Replica> = replicas
                    .iter()
                    .rev()
                    .take((current - want) as usize)
                    .cloned()
                    .collect();
                let mut steps = Vec::new();
                for r in &remove {
                    let detail = format!("replica {} ({})", r.number, r.image);
                    steps.push(step(StepOp::Stop, &r.name, detail.clone()));
                    steps.push(step(StepOp::Remove, &r.name, detail));
                }
                (
                    format!("scale {addr} {current} → {want}"),
                    steps,
                    Work::ScaleDown { remove },
                )
            }
        }
        Verb::Restart => (
            format!("restart {addr}: {current} replica(s), one at a time, waiting for health"),
            restart_steps(&replicas, ctx.gate),
            Work::Restart {
                replicas: replicas.clone(),
            },
        ),
        Verb::Deploy { image } => {
            image_id(ctx.docker, image, ctx.target).await?;
            let from = images_of(&replicas);
            (
                format!(
                    "deploy {addr}: {from} → {image}, {current} replica(s) one at a time; \
                     rolls back by itself if a new replica is not healthy"
                ),
                replace_steps(&replicas, image, ctx.gate),
                Work::Replace {
                    replicas: replicas.clone(),
                    image: image.clone(),
                    alias: Some(service.to_string()),
                    verb: "deploy",
                },
            )
        }
        Verb::Rollback { to } => {
            let running = replicas
                .first()
                .map(|r| r.image_id.clone())
                .unwrap_or_default();
            let rev = ctx.revisions.pick(addr, to.as_deref(), &running)?;
            image_id(ctx.docker, &rev.image_id, ctx.target).await?;
            let image = image_ref(ctx.docker, &rev.image, &rev.image_id).await;
            (
                format!(
                    "rollback {addr}: {} → revision {} ({image}), {current} replica(s) one at a time",
                    images_of(&replicas),
                    rev.revision
                ),
                replace_steps(&replicas, &image, ctx.gate),
                Work::Replace {
                    replicas: replicas.clone(),
                    image,
                    alias: Some(service.to_string()),
                    verb: "rollback",
                },
            )
        }
    };
    let destructive = steps
        .iter()
        .any(|s| matches!(s.op, StepOp::Stop | StepOp::Remove | StepOp::Restart));
    Ok((
        Plan {
            request: req.clone(),
            kind: WorkloadKind::ComposeService,
            summary,
            steps,
            destructive,
        },
        work,
    ))
}

/// `a:v1` or `a:v1, a:v2` when replicas disagree.
pub fn images_of(replicas: &[Replica]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for r in replicas {
        if !seen.contains(&r.image.as_str()) {
            seen.push(&r.image);
        }
    }
    seen.join(", ")
}
