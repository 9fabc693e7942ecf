import { type BackupJob, backupArgs, buildCronLine, formatAt, logFile } from './cron-line.js';

/** What the Kubernetes form needs besides the job: the cluster has no profile file. */
export interface PrintContext {
  server: string;
  org: string;
  /** IANA zone the machine's cron runs in, so `--at` means the same time in the CronJob. */
  timeZone: string;
  /** This CLI's version: the image to build holds the same one. */
  version: string;
}

/** A URL on this machine's loopback: a pod reaching for it finds itself, not this machine. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '[::1]' ||
    host === '0.0.0.0' ||
    host === '[::]'
  );
}

const SERVER_PLACEHOLDER = '<server URL reachable from the pod>';

/** `--print`: the crontab line, a systemd timer + service pair and a Kubernetes CronJob, labelled. */
export function renderSchedulePrint(job: BackupJob, context: PrintContext): string {
  return [
    `# ── cron ── add with: crontab -e (daily at ${formatAt(job.at)}, local time)`,
    buildCronLine(job),
    '',
    ...systemdUnits(job),
    '',
    ...kubernetesCronJob(job, context),
  ].join('\n');
}

/** A word for a systemd command line or assignment: `%` and `$` are specifiers there. */
function systemdQuote(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[\w@+=:,./%$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function systemdUnits(job: BackupJob): string[] {
  const name = `audit-backup-${job.profile}`;
  const command = [job.nodePath, job.binPath, ...backupArgs(job)].map(systemdQuote).join(' ');
  const log = logFile(job.dir).replace(/%/g, '%%');
  return [
    `# ── systemd ── ~/.config/systemd/user/${name}.service`,
    '[Unit]',
    `Description=Daily audit log backup (profile ${job.profile})`,
    '',
    '[Service]',
    'Type=oneshot',
    ...Object.entries(job.env ?? {}).map(([key, value]) => `Environment=${systemdQuote(`${key}=${value}`)}`),
    `ExecStart=${command}`,
    `StandardOutput=append:${log}`,
    `StandardError=append:${log}`,
    '',
    `# ── systemd ── ~/.config/systemd/user/${name}.timer`,
    '[Unit]',
    `Description=Run ${name}.service daily at ${formatAt(job.at)}`,
    '',
    '[Timer]',
    `OnCalendar=*-*-* ${formatAt(job.at)}:00`,
    'Persistent=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
    `# enable with: systemctl --user daemon-reload && systemctl --user enable --now ${name}.timer`,
    '# (and loginctl enable-linger "$USER" so it runs while you are logged out)',
  ];
}

function kubernetesCronJob(job: BackupJob, context: PrintContext): string[] {
  // A DNS label of at most 52 characters (Kubernetes adds 11 for the Jobs it names), ending alphanumeric.
  const name = `audit-backup-${job.profile}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 52)
    .replace(/-+$/, '');
  // In the cluster there is no profile file: the connection comes from env and a Secret.
  const args = backupArgs({ ...job, dir: '/backups' }).slice(2);
  const command = ['audit', ...args];
  const q = (value: string) => JSON.stringify(value);
  // The package is not on a registry: the image is built from the tarball `npm pack` writes.
  const tarball = `audit-cli-${context.version}.tgz`;
  const loopback = isLoopbackUrl(context.server);
  return [
    '# ── Kubernetes CronJob ── kubectl apply -f audit-backup.yaml',
    `# first: kubectl create secret generic ${name}-token --from-literal=token=adt_…`,
    '# and an image with this version of the CLI (audit-cli is not on a registry; from a checkout):',
    `#   npm ci && npm run build && npm pack                # writes ${tarball}`,
    '#   Dockerfile:',
    '#     FROM node:22-slim',
    `#     COPY ${tarball} /tmp/`,
    `#     RUN npm install -g --ignore-scripts /tmp/${tarball} && rm /tmp/${tarball}`,
    `#   docker build -t <your-registry>/audit-cli:${context.version} . && docker push <your-registry>/audit-cli:${context.version}`,
    'apiVersion: batch/v1',
    'kind: CronJob',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  schedule: ${q(`${job.at.minute} ${job.at.hour} * * *`)}`,
    `  timeZone: ${q(context.timeZone)}`,
    '  concurrencyPolicy: Forbid',
    '  jobTemplate:',
    '    spec:',
    '      backoffLimit: 2',
    '      template:',
    '        spec:',
    '          restartPolicy: OnFailure',
    '          containers:',
    '            - name: audit-backup',
    '              # REPLACE <your-registry>: where you pushed the image built above',
    `              image: ${q(`<your-registry>/audit-cli:${context.version}`)}`,
    `              command: [${command.map(q).join(', ')}]`,
    '              env:',
    '                - name: AUDIT_SERVER',
    ...(loopback
      ? [
          `                  # REPLACE: the server's URL as pods reach it (a Service or ingress); the profile's`,
          `                  # ${context.server} is this machine's loopback, which no pod can reach`,
          `                  value: ${q(SERVER_PLACEHOLDER)}`,
        ]
      : [`                  value: ${q(context.server)}`]),
    '                - name: AUDIT_ORG',
    `                  value: ${q(context.org)}`,
    '                - name: AUDIT_TOKEN',
    '                  valueFrom:',
    `                    secretKeyRef: { name: ${name}-token, key: token }`,
    '              volumeMounts:',
    '                - { name: backups, mountPath: /backups }',
    '          volumes:',
    '            - name: backups',
    `              persistentVolumeClaim: { claimName: ${name} }`,
  ];
}
