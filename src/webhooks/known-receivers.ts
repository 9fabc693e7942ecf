/**
 * Chat services whose answers a webhook's test and delivery log may show: their error text
 * ("invalid_payload", "no_team") is what an admin needs to fix a chat webhook, and they are
 * public services, not something behind the server's firewall. Any other receiver's answer is
 * reduced to its status code.
 */
const CHAT_HOSTS = ['hooks.slack.com', 'discord.com', 'discordapp.com'];
const CHAT_HOST_SUFFIXES = ['.discord.com', '.webhook.office.com', '.logic.azure.com'];

export function showsAnswer(url: string): boolean {
  const { protocol, hostname, port } = new URL(url);
  if (protocol !== 'https:' || port !== '') return false;
  const host = hostname.toLowerCase();
  return CHAT_HOSTS.includes(host) || CHAT_HOST_SUFFIXES.some((suffix) => host.endsWith(suffix));
}
