using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.RunsApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class ContinuationIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_runs_continuation_of",
                schema: "runs",
                table: "runs",
                column: "continuation_of",
                filter: "continuation_of IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_runs_continuation_of",
                schema: "runs",
                table: "runs");
        }
    }
}
