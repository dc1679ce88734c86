//! Planning for a plain container (group `_`): restart, or replace it with
//! another image behind the health gate; rollback only to an image an
//! opsdeck deploy recorded.

use super::compose::images_of;
use super::engine::image_id;
use super::replica::Replica;
use super::rolling::image_ref;
use super::work::{replace_steps, restart_steps, Work};
use super::Ctx;
use crate::action::{Plan, Request, StepOp, Verb};
use crate::model::WorkloadKind;

pub async fn plan(ctx: &Ctx<'_>, req: &Request, c: Replica) -> Result<(Plan, Work), String> {
    let addr = &req.workload;
    let one = std::slice::from_ref(&c);
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
        Verb::Scale { .. } => {
            return Err(format!(
                "{addr} is a plain container, which has no replicas to scale; \
                 scale a Compose service (TARGET/PROJECT/SERVICE) or a Swarm service"
            ))
        }
        Verb::Restart => (
            format!("restart {addr} and wait for health"),
            restart_steps(one, ctx.gate),
            Work::Restart {
                replicas: vec![c.clone()],
            },
        ),
        Verb::Deploy { image } => {
            image_id(ctx.docker, image, ctx.target).await?;
            (
                format!(
                    "deploy {addr}: {} → {image}, same config; rolls back by itself if it is not healthy",
                    c.image
                ),
                replace_steps(one, image, ctx.gate),
                Work::Replace {
                    replicas: vec![c.clone()],
                    image: image.clone(),
                    alias: None,
                    verb: "deploy",
                },
            )
        }
        Verb::Rollback { to } => {
            let rev = ctx.revisions.pick(addr, to.as_deref(), &c.image_id)?;
            image_id(ctx.docker, &rev.image_id, ctx.target).await?;
            let image = image_ref(ctx.docker, &rev.image, &rev.image_id).await;
            (
                format!(
                    "rollback {addr}: {} → revision {} ({image})",
                    images_of(one),
                    rev.revision
                ),
                replace_steps(one, &image, ctx.gate),
                Work::Replace {
                    replicas: vec![c.clone()],
                    image,
                    alias: None,
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
            kind: WorkloadKind::Container,
            summary,
            steps,
            destructive,
        },
        work,
    ))
}
