import { encodeEntries } from './entry.js';

const line = (device: string, t: number, v = t) =>
  `energy,city=tianjin,device_id=${device},device_type=electricity-meter,site=tj-1 voltage=${v} ${t}000000`;

describe('hand-off entries', () => {
  it('keeps lines in publish order and splits at the entry size limit, even inside one publish', () => {
    const entries = encodeEntries(
      [
        [line('m1', 1), line('m1', 2), line('m1', 3)],
        [line('s1', 4), line('s1', 5)],
      ],
      2,
    );
    expect(entries.map((e) => e.n)).toEqual([2, 2, 1]);
    expect(entries.flatMap((e) => e.lp.split('\n'))).toEqual(
      [1, 2, 3].map((t) => line('m1', t)).concat([4, 5].map((t) => line('s1', t))),
    );
  });
});
