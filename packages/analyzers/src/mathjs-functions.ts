/**
 * The mathjs functions the analyzers call, from mathjs' own factories
 * (`create` with each function's `*Dependencies`): each is created on its
 * first call, with mathjs' default configuration, so the results are those of
 * mathjs' default instance. Why: creating a mathjs function (a typed-function
 * with every signature) costs time, and the matrix functions cost the most
 * (eigs alone about 0.1 s); a bundler keeps only these factories, and an
 * analysis that fits no parameter impact never creates them. `erf` alone is
 * cheap. Internal: not part of the package's surface.
 */
import {
  create,
  eigsDependencies,
  erfDependencies,
  type FactoryFunctionMap,
  invDependencies,
  lusolveDependencies,
  matrixDependencies,
  multiplyDependencies,
  transposeDependencies,
} from "mathjs";

// mathjs' declarations type each `*Dependencies` as possibly undefined; they are not.
const factories = {
  eigsDependencies,
  erfDependencies,
  invDependencies,
  lusolveDependencies,
  matrixDependencies,
  multiplyDependencies,
  transposeDependencies,
} as FactoryFunctionMap;

/** The mathjs instance the analyzers compute with (see above). */
export const math = create(factories);
