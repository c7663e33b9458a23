#!/usr/bin/perl
# tap-collect.pl TESTS-DIR OUT LIST: run each pjdfstest test file named in
# the file LIST (one path relative to TESTS-DIR a line) with the current
# directory as the directory under test, as `prove` would, and write one
# line per subtest to OUT:
#   FILE<TAB>NUMBER<TAB>VERDICT<TAB>DESCRIPTION
# VERDICT is ok, fail, skip, todo-ok (a TODO test that passed) or
# todo-fail (a TODO test that failed, which TAP counts as passing). A
# file whose plan does not match what it ran, or that exits non-zero
# with no failed subtest, gets a line with NUMBER "-" and VERDICT fail.
# The TAP parsing is perl's own (TAP::Parser, what prove uses). The
# seconds the whole list took go to OUT.secs.
use strict;
use warnings;
use TAP::Parser;

my ($tests, $out, $list) = @ARGV;
die "usage: tap-collect.pl TESTS-DIR OUT LIST\n" unless defined $list;
# One file must never hang the whole run. The longest, chown/00.t, takes
# a few minutes on a loaded machine.
my $limit = $ENV{PJD_FILE_TIMEOUT} || 1800;
my $start = time;

open(my $lf, '<', $list) or die "tap-collect.pl: $list: $!\n";
chomp(my @files = <$lf>);
close($lf);

open(my $fh, '>', $out) or die "tap-collect.pl: $out: $!\n";
$fh->autoflush(1);
for my $file (@files) {
	my $parser = TAP::Parser->new({
		# --foreground: the test stays in our process group, which
		# the caller kills as a whole.
		exec => ['timeout', '--foreground', '-k', '10', $limit,
			 '/bin/sh', "$tests/$file"],
		merge => 0,
	});
	my $failed = 0;
	while (my $r = $parser->next) {
		next unless $r->is_test;
		my $v;
		if ($r->has_todo) {
			$v = $r->is_actual_ok ? 'todo-ok' : 'todo-fail';
		} elsif ($r->has_skip) {
			$v = 'skip';
		} else {
			$v = $r->is_ok ? 'ok' : 'fail';
		}
		$failed++ if $v eq 'fail';
		my $d = $r->description // '';
		$d =~ s/[\t\n]/ /g;
		printf $fh "%s\t%s\t%s\t%s\n", $file, $r->number, $v, $d;
	}
	my @bad;
	push @bad, 'planned ' . ($parser->tests_planned // 'none') .
	    ', ran ' . $parser->tests_run
	    if $parser->parse_errors;
	push @bad, 'exit ' . $parser->exit
	    if $parser->exit && !$failed && !$parser->skip_all;
	printf $fh "%s\t-\tfail\t%s\n", $file, join('; ', @bad) if @bad;
	printf $fh "%s\t-\tskip\t%s\n", $file, $parser->skip_all
	    if $parser->skip_all;
}
close($fh) or die "tap-collect.pl: $out: $!\n";
open(my $sf, '>', "$out.secs") or die "tap-collect.pl: $out.secs: $!\n";
print $sf time - $start, "\n";
close($sf);
