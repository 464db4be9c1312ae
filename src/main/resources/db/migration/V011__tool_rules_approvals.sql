-- Tool rules and approvals (issue 12). An agent's tool rules are Letta's tool_rules as JSON (the server checks their
-- shape before it writes them); tool_approval_off names the tools whose approval-by-default its owner switched off.
alter table agents
  add column tool_rules        jsonb  not null default '[]',
  add column tool_approval_off text[] not null default '{}';

-- The answer to an approval request (approve, deny, or a client-side tool's result) is kept in the history as a
-- message of its own role: the history shows it, the model never sees it (the tool's return that follows is what it
-- sees). A pending request itself needs no column: it is the agent's last in-context message, a call with no return.
alter table messages drop constraint messages_role_check;
alter table messages add constraint messages_role_check
  check (role in ('system', 'user', 'assistant', 'tool', 'approval'));
