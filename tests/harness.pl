#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# Runs every test program (g_test binaries speak TAP with --tap; tests/*.t
# are TAP shell scripts) and ends with the one line CI reads:
#   N passed, N failed
# A test program that dies, or whose plan does not match, counts as a failure.
use strict;
use warnings;
use TAP::Harness;

my @tests = @ARGV;
die "harness: no tests given\n" unless @tests;
my $harness = TAP::Harness->new({
    verbosity => ($ENV{VERBOSE} ? 1 : 0),
    failures  => 1,
    merge     => 0,
    exec      => sub {
        my ($h, $file) = @_;
        return [ 'bash', $file ] if $file =~ /\.t$/;
        return [ $file, '--tap' ];
    },
});
my $agg = $harness->runtests(@tests);
my ($passed, $failed) = (0, 0);
for my $t ($agg->descriptions) {
    my ($parser) = $agg->parsers($t);
    my @bad = $parser->failed;
    my @ok = $parser->passed;
    $passed += scalar @ok;
    $failed += scalar @bad;
    # A program that crashed or broke its plan has no failed point of its own.
    $failed++ if $parser->has_problems && !@bad;
}
print "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
