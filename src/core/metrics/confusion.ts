/** Confusion matrix from class indices: rows = actual, columns = predicted. */

/** Cell counts, row-major (k × k). */
export function confusionCells(yTrue: Int32Array, yPred: Int32Array, k: number): Float64Array {
  const cells = new Float64Array(k * k);
  for (let i = 0; i < yTrue.length; i++) {
    const c = (yTrue[i] as number) * k + (yPred[i] as number);
    cells[c] = (cells[c] as number) + 1;
  }
  return cells;
}

export function cellsToMatrix(cells: ArrayLike<number>, k: number): number[][] {
  const m: number[][] = [];
  for (let r = 0; r < k; r++) {
    const row: number[] = [];
    for (let c = 0; c < k; c++) row.push(cells[r * k + c] as number);
    m.push(row);
  }
  return m;
}
