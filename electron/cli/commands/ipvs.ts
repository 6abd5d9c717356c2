import { EXIT, type CliCommand } from '../io.ts';

// Placeholder until the 'ipvs' verbs land; exits with a usage error instead of pretending.
const run: CliCommand = async (_args, io) => {
  io.err('lvsctl ipvs: not built yet\n');
  return EXIT.USAGE;
};
export default run;
