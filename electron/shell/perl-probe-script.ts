import { PROBE_REPLY_MAX } from './service-probe-script.ts';

/** How many checks the perl probe has open at once (sockets; a director's default limit is 1024 open files). */
export const PERL_PROBE_CHUNK = 500;

/**
 * The probe of every realserver from the director as ONE perl process, for a director that has perl (Debian's
 * Essential perl-base: every Debian director): the lean probe's checks and output (shell/lean-probe-script.ts, whose
 * lines and their order it prints byte for byte) without a process per check. Every TCP connect and every UDP request
 * is started at once on a non-blocking socket and ONE select() waits for all of them, for at most T seconds from when
 * the last one was started (at most PERL_PROBE_CHUNK at once: a bigger cluster is probed that many checks at a time):
 * a connect that completes is `up`, one refused or still pending at the end `down`; a UDP socket's first datagram (up to 8192 bytes, as the lean probe's dd) is the reply, an ICMP refusal, an empty datagram or
 * silence `noreply`. A realserver none of whose checks answered is pinged (`ping -c 1 -W T`, in parallel, at most T more),
 * exactly as the lean probe does. On the lab's emulated director the lean probe paid a fork and an exec per check
 * (11–21 ms each: ~1.5 s of its CPU at 50 realservers); here a check is a few system calls.
 *
 * `perl -e PERL_PROBE_SCRIPT -- T TCPPORTS UDPSPECS HOST…` (the health probe's positional arguments, serviceProbeArgv;
 * UDPSPECS are PORT/PAYLOAD with the payload as printf octal escapes `\ooo`). When perl lacks the modules it needs
 * (Socket, Fcntl, Errno) it exits 250 before printing anything, and probe_all runs the lean probe instead. A socket the
 * director cannot open prints one `lean-probe-error: …` line and nothing else (a PARSE_ERROR for the console; the
 * director's update leaves the realservers as they are), never a verdict about a realserver.
 */
/** The perl probe (see the file comment); run by `perl -e`. Contains no single quote (the director's script embeds it in single quotes). */
export const PERL_PROBE_SCRIPT = [
  'eval { require Socket; require Fcntl; require Errno; 1 } or exit 250;',
  'my ($t, $tports, $uspecs, @hosts) = @ARGV;',
  'my (@c, @answered);',
  'sub fail { print "lean-probe-error: $_[0]\\n"; exit 0 }',
  // one check: the address (getaddrinfo, as bash's /dev/tcp and /dev/udp resolve), a non-blocking socket, connect
  'sub open_check {',
  '  my ($c, $type) = @_;',
  '  my ($err, @ai) = Socket::getaddrinfo($c->{h}, $c->{p}, { socktype => $type });',
  '  return 0 if $err || !@ai;',
  '  socket(my $fh, $ai[0]{family}, $type, 0) or fail("socket: $!");',
  '  my $fl = fcntl($fh, Fcntl::F_GETFL(), 0);',
  '  fcntl($fh, Fcntl::F_SETFL(), $fl | Fcntl::O_NONBLOCK()) or fail("fcntl: $!");',
  '  $c->{f} = $fh;',
  '  return 1 if connect($fh, $ai[0]{addr});',
  '  return $! == Errno::EINPROGRESS() ? 2 : 0;',
  '}',
  // the checks in the lean probe's order (per host: its TCP ports, then its UDP services), none started yet
  'for my $i (0 .. $#hosts) {',
  '  push @c, { h => $hosts[$i], i => $i, k => "tcp", p => $_, s => 2 } for split " ", $tports;',
  '  for my $u (split " ", $uspecs) {',
  '    my ($p, $f) = split "/", $u, 2;',
  '    $f =~ s/\\\\([0-7]{3})/chr(oct($1))/ge;',
  '    push @c, { h => $hosts[$i], i => $i, k => "udp", p => $p, s => 2, q => $f };',
  '  }',
  '}',
  // at most CHUNK sockets open at once (a director's default limit is 1024 files): a bigger cluster is probed CHUNK
  // checks at a time, each chunk started at once and given T seconds
  `for (my $lo = 0; $lo < @c; $lo += ${PERL_PROBE_CHUNK}) {`,
  `  my @chunk = @c[$lo .. ($lo + ${PERL_PROBE_CHUNK} > @c ? $#c : $lo + ${PERL_PROBE_CHUNK - 1})];`,
  '  for my $c (@chunk) {',
  '    if ($c->{k} eq "tcp") { my $r = open_check($c, Socket::SOCK_STREAM()); $c->{s} = $r == 1 ? 1 : $r == 2 ? 0 : 2 }',
  '    else { $c->{s} = 0 if open_check($c, Socket::SOCK_DGRAM()) == 1 && defined send($c->{f}, $c->{q}, 0) }',
  '  }',
  // ONE wait for the chunk: select() until every check has its verdict or T seconds have passed (select gives the time left)
  '  my $left = $t;',
  '  while ($left > 0) {',
  '    my ($r, $w, $any) = ("", "", 0);',
  '    for my $c (@chunk) { next if $c->{s}; $any = 1; vec($c->{k} eq "tcp" ? $w : $r, fileno($c->{f}), 1) = 1 }',
  '    last unless $any;',
  '    my ($n, $tl) = select(my $ro = $r, my $wo = $w, undef, $left);',
  '    $left = $tl;',
  '    next if $n <= 0;',
  '    for my $c (@chunk) {',
  '      next if $c->{s};',
  '      my $fd = fileno($c->{f});',
  '      if ($c->{k} eq "tcp") {',
  '        next unless vec($wo, $fd, 1);',
  '        $c->{s} = unpack("i", getsockopt($c->{f}, Socket::SOL_SOCKET(), Socket::SO_ERROR())) ? 2 : 1;',
  '      } else {',
  '        next unless vec($ro, $fd, 1);',
  '        my $buf = "";',
  '        if (defined recv($c->{f}, $buf, 8192, 0)) { if (length $buf) { $c->{s} = 1; $c->{r} = $buf } else { $c->{s} = 2 } }',
  '        elsif ($! != Errno::EAGAIN()) { $c->{s} = 2 }',
  '      }',
  '    }',
  '  }',
  '  for my $c (@chunk) { close $c->{f} if $c->{f}; delete $c->{f}; $answered[$c->{i}] = 1 if $c->{s} == 1 }',
  '}',
  // the lean probe's lines in its order: the verdicts in the order of the checks, the reachability, the replies
  'for my $c (@c) {',
  '  if ($c->{k} eq "tcp") { print "$c->{h} tcp $c->{p} ", ($c->{s} == 1 ? "up" : "down"), "\\n" }',
  '  elsif ($c->{s} != 1) { print "$c->{h} udp $c->{p} noreply\\n" }',
  '}',
  'my (@ping, %pid, %up);',
  'for my $i (0 .. $#hosts) { if ($answered[$i]) { print "$hosts[$i] icmp up\\n" } else { push @ping, $i } }',
  'if (@ping) {',
  '  for my $i (@ping) {',
  '    my $pid = fork;',
  '    next unless defined $pid;',
  '    if ($pid == 0) { open STDIN, "<", "/dev/null"; open STDOUT, ">", "/dev/null"; open STDERR, ">", "/dev/null"; exec "ping", "-c", "1", "-W", $t, $hosts[$i]; exit 127 }',
  '    $pid{$pid} = $i;',
  '  }',
  // waitpid(PID, 1): WNOHANG is 1 on Linux (no POSIX module to load for one constant); every 20 ms, at most T
  '  my $wait = $t;',
  '  while (%pid) {',
  '    for my $pid (keys %pid) { if (waitpid($pid, 1) == $pid) { $up{$pid{$pid}} = $? == 0; delete $pid{$pid} } }',
  '    last if !%pid || $wait <= 0;',
  '    select(undef, undef, undef, 0.02); $wait -= 0.02;',
  '  }',
  '  for my $pid (keys %pid) { kill "TERM", $pid; waitpid($pid, 0) }',
  '  print "$hosts[$_] icmp ", ($up{$_} ? "up" : "down"), "\\n" for @ping;',
  '}',
  `for my $c (@c) { print "$c->{h} udp $c->{p} reply ", unpack("H*", substr($c->{r}, 0, ${PROBE_REPLY_MAX})), "\\n" if $c->{k} eq "udp" && $c->{s} == 1 }`,
  'exit 0;',
].join('\n');
if (PERL_PROBE_SCRIPT.includes("'")) throw new Error('PERL_PROBE_SCRIPT must not contain a single quote');
