import { JobsEvaluatedHere } from './jobs-evaluated-here.js';

describe('JobsEvaluatedHere', () => {
  it('names the ids not evaluated here, in the order asked', () => {
    const here = new JobsEvaluatedHere();
    here.add('7');
    here.add('9');
    expect(here.notAmong(['7', '8', '9', '10'])).toEqual(['8', '10']);
    expect(here.notAmong([])).toEqual([]);
  });

  it('forgets the oldest ids past its capacity, so they are asked about again', () => {
    const here = new JobsEvaluatedHere(2);
    for (const id of ['1', '2', '3']) here.add(id);
    expect(here.notAmong(['1', '2', '3'])).toEqual(['1']);
    here.add('4');
    expect(here.notAmong(['2', '3', '4'])).toEqual(['2']);
  });
});
