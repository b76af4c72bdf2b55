/** The routes the admin page uses beyond the forum routes (same Write API, same caller check). */
export const acpPaths = {
  search: '/sunbird/search',
  audit: '/sunbird/audit',
  settings: '/sunbird/settings',
  people: '/sunbird/people'
} as const
