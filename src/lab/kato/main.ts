// Entry of the kato emulator that runs on lab nodes (stub).
process.stdout.write('3.6.2\n');
