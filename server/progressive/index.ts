/** Progressive answers: a dataset query answered in time slices, version by version (the `<dataset>` subscription). */
export { answerProgressively } from './answerProgressively.ts';
export { answerFromSlices } from './answerFromSlices.ts';
