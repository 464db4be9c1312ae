-- MCP servers that users register as sources of tools (Letta's /v1/mcp-servers), and the tools each last listed.

-- A stdio server is a command Engram runs (command, args, env); the others are a URL with optional headers.
-- env, auth_token and custom_headers hold secrets: stored as given (the database is the server's own), and never
-- rendered back in full by the API.
create table mcp_servers (
  id             uuid primary key,
  user_id        uuid not null references users(id) on delete cascade,
  name           text not null,
  server_type    text not null check (server_type in ('stdio', 'sse', 'streamable_http')),
  command        text,
  args           text[] not null default '{}',
  env            jsonb not null default '{}',
  server_url     text,
  auth_header    text,
  auth_token     text,
  custom_headers jsonb not null default '{}',
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  -- a server is known by its name too (its tools are tagged mcp:<name>, as in Letta): one name per user
  unique (user_id, name),
  check ((server_type = 'stdio') = (command is not null)),
  check ((server_type = 'stdio') = (server_url is null))
);
create index mcp_servers_user on mcp_servers(user_id, created_at, id);

-- The tools a server listed the last time it was asked (at registration and on refresh), in its order. A tool's id is
-- derived from its server's id and its name, so it stays the same across refreshes.
create table mcp_tools (
  id           uuid primary key,
  server_id    uuid not null references mcp_servers(id) on delete cascade,
  name         text not null,
  description  text,
  input_schema jsonb not null,
  position     integer not null,
  unique (server_id, name)
);
