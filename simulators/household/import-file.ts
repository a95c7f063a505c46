/**
 * A county's provisioning file, generated: household `i` of a legitimate import as provisioning.md's
 * JSON has it (address, grid, location, one resident, one contact, 3 devices: button, wristband, bedroom
 * motion sensor). Ids are `hh-imp-00001`, `btn-imp-00001` …, unique up to 99,999 households.
 */
export function importedHousehold(i: number): Record<string, unknown> {
  const n = String(i).padStart(5, '0');
  return {
    id: `hh-imp-${n}`,
    address: `汶上县中都街道 幸福路 ${i}号`,
    grid: `zhongdu-${String(1 + (i % 40)).padStart(2, '0')}`,
    location: { lat: 35.7312 + (i % 100) * 0.001, lon: 116.489 + Math.floor(i / 100) * 0.001 },
    sharing: 'status',
    residents: [
      { id: `r-imp-${n}`, name: '张秀英', birthYear: 1935 + (i % 15), careNotes: [], language: 'zh' },
    ],
    contacts: [
      {
        name: '李明',
        relation: '儿子',
        phone: `+86 138 00${n.slice(0, 2)} ${n.slice(2).padStart(4, '0')}`,
        priority: 1,
      },
    ],
    devices: [
      { id: `btn-imp-${n}`, type: 'button' },
      { id: `wb-imp-${n}`, type: 'wristband', resident: `r-imp-${n}` },
      { id: `pir-imp-${n}-bedroom`, type: 'motion', room: 'bedroom' },
    ],
  };
}

/** A provisioning document of households `from` … `from + count - 1`. */
export function importFile(count: number, from = 1): { households: Array<Record<string, unknown>> } {
  return { households: Array.from({ length: count }, (_, k) => importedHousehold(from + k)) };
}
