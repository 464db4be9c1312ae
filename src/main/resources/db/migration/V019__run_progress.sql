-- Cluster mode: a run whose node died after some of its steps were stored goes on at the node that takes its agent
-- over, from where its last stored step left it (RunRepository.takeOver, StepLoop). So each step's row of events also
-- says where the run stood after that step. Rows written before this migration have nulls: such a run fails, as
-- before.
alter table run_events
  -- the run's steps stored so far (this one included) and its usage so far
  add column step_count integer,
  add column prompt_tokens integer,
  add column completion_tokens integer,
  add column total_tokens integer,
  -- what came after this step: the reason of the next step's input (heartbeat, function_failed, memory_pressure),
  -- or the run's stop reason when this step ended it
  add column next_step text,
  -- why a tool rule kept the run going (its next heartbeat says so); null otherwise
  add column next_note text;
