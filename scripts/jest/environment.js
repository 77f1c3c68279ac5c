// Jest's node environment on a plain ("vanilla") V8 context (vm.constants.DONT_CONTEXTIFY, Node ≥ 22.8)
// instead of a contextified one. Jest runs each test file in a vm context of its own; a contextified
// context's global object sits behind V8 interceptors (and, since Jest 30, a Proxy), so every lookup
// of a global — Math, JSON, Date, Buffer — from the tests and from the apps they start in-process
// takes the slow path, 50–100× a plain lookup (nodejs/node#31658, jestjs/jest#5163): the simulator's
// noise functions (Math.imul) ran ~100× slower under jest than under node. A vanilla context has an
// ordinary global object. The environment is otherwise jest's own; the one thing given up is jest's
// sweep of the properties a test file left on its global at teardown (the whole context is
// dropped after each file anyway).
import vm from 'node:vm';
import { TestEnvironment } from 'jest-environment-node';

export default class VanillaContextEnvironment extends TestEnvironment {
  constructor(config, context) {
    const createContext = vm.createContext;
    vm.createContext = () => createContext(vm.constants.DONT_CONTEXTIFY);
    try {
      super(config, context);
    } finally {
      vm.createContext = createContext;
    }
  }
}
